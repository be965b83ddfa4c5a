import type { Challenge, CheckOutcome } from '../challenge/challenge.ts';
import type { DeliveryAttempt, DeliveryStatus, EventRecord } from '../events/event.ts';

/** Limits checked atomically when a challenge is created. */
export interface CreateLimits {
  /** Pending challenges allowed across all tenants. */
  maxPendingTotal: number;
  /**
   * Pending challenges allowed per (tenant, client_id). When a new challenge would exceed it, the
   * oldest pending ones of that client are canceled, so the newest link is the one that works.
   */
  maxPendingPerClient: number;
}

export type CreateResult =
  | { created: true; /** Older challenges of the same client canceled to make room. */ replaced: Challenge[] }
  | { created: false; reason: 'pending_limit' };

/** The result of recording one checked submission. */
export type AttemptResult =
  /** The attempt counted; `challenge` is the state after it. */
  | { recorded: true; challenge: Challenge }
  /** The challenge had already ended (or was not found) before this attempt could count. */
  | { recorded: false; challenge: Challenge | null };

export type CancelResult =
  | { outcome: 'canceled'; challenge: Challenge }
  | { outcome: 'not_pending'; challenge: Challenge }
  | { outcome: 'not_found' };

export type ConfirmResult =
  | { outcome: 'confirmed'; challenge: Challenge }
  | { outcome: 'mismatch' | 'already_confirmed' | 'not_passed' | 'window_closed'; challenge: Challenge }
  | { outcome: 'not_found' };

/** A stored reply to a request made with an Idempotency-Key. */
export interface IdempotentReply {
  status: number;
  body: string;
}

export type IdempotencyClaim =
  /** The caller owns the key and must complete or release it. */
  | { state: 'claimed' }
  | { state: 'replay'; reply: IdempotentReply }
  | { state: 'in_progress' }
  | { state: 'mismatch' };

/** Counter state after one hit on a fixed-window rate limit. */
export interface RateLimitHit {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets; 0 when allowed. */
  retryAfterSeconds: number;
}

/** An API key as stored: the SHA-256 of the key, never the key. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  keyHash: string;
  /** The first characters of the key, shown in listings so that an operator can tell keys apart. */
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface EventFilter {
  challengeId?: string;
  status?: DeliveryStatus;
  limit: number;
}

/** Outcome of one delivery try. */
export type DeliveryOutcome =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'dead' };

/**
 * Everything askgate keeps between requests: challenges and their page-token index, return
 * codes, idempotency keys, rate-limit counters, API keys and the event queue. All methods that
 * change a challenge are atomic, also across processes sharing a store: a challenge changes state
 * at most once, no more than `maxAttempts` attempts count, and each terminal state change stores
 * exactly one event in the same step.
 *
 * Times are epoch milliseconds.
 */
export interface ChallengeStore {
  /** Stores a new pending challenge unless a pending limit is reached. */
  createChallenge(challenge: Challenge, limits: CreateLimits, now: number): Promise<CreateResult>;
  /** Finds a challenge of `tenantId`; another tenant's challenge is not found. */
  findChallenge(tenantId: string, id: string): Promise<Challenge | null>;
  findChallengeByToken(tokenHash: string): Promise<Challenge | null>;
  /**
   * Counts one checked submission. A right answer passes the challenge and assigns a return code
   * unique among live challenges; a wrong one that reaches `maxAttempts` fails it.
   */
  recordAttempt(id: string, outcome: CheckOutcome, now: number): Promise<AttemptResult>;
  cancelChallenge(tenantId: string, id: string, now: number): Promise<CancelResult>;
  /**
   * Marks a passed challenge confirmed when `code` is its return code and `now` is within
   * `windowMs` of passing. A challenge is confirmed at most once.
   */
  confirmReturnCode(tenantId: string, id: string, code: string, now: number, windowMs: number): Promise<ConfirmResult>;
  /** Expires pending challenges whose deadline has passed; returns how many it expired. */
  expireDue(now: number): Promise<number>;
  /** Number of pending challenges across all tenants. */
  countPending(): Promise<number>;

  claimIdempotencyKey(tenantId: string, key: string, fingerprint: string, ttlSeconds: number, now: number): Promise<IdempotencyClaim>;
  completeIdempotencyKey(tenantId: string, key: string, reply: IdempotentReply): Promise<void>;
  /** Forgets a claim whose request failed, so that a retry can run. */
  releaseIdempotencyKey(tenantId: string, key: string): Promise<void>;

  /** Counts one hit on `key` in the current fixed window of `windowSeconds`. */
  hitRateLimit(key: string, limit: number, windowSeconds: number, now: number): Promise<RateLimitHit>;
  resetRateLimit(key: string): Promise<void>;

  saveApiKey(record: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(tenantId: string | null): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; returns false when no such key exists. */
  revokeApiKey(id: string, now: number): Promise<boolean>;

  listEvents(tenantId: string, filter: EventFilter): Promise<EventRecord[]>;
  findEvent(tenantId: string, id: string): Promise<EventRecord | null>;
  /**
   * Leases up to `limit` pending events that are due, so that only one worker (of any process)
   * tries each. A lease that is not completed within `leaseMs` lapses and the event is due again.
   */
  leaseDueEvents(now: number, limit: number, leaseMs: number): Promise<EventRecord[]>;
  /** Appends a try to a leased event, sets its new state and releases the lease. */
  recordDelivery(eventId: string, attempt: DeliveryAttempt, outcome: DeliveryOutcome): Promise<void>;
  /** Makes an event due now again, whatever its state; returns null when not found. */
  redeliverEvent(tenantId: string, id: string, now: number): Promise<EventRecord | null>;

  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  /** Stops timers and releases connections. */
  close(): Promise<void>;
}

/** Retention settings shared by all stores. */
export interface RetentionOptions {
  /** How long a finished challenge stays readable. */
  retentionSeconds: number;
  /** How long an event stays listable after it was created. */
  eventRetentionSeconds: number;
}

/**
 * Callbacks for changes a store makes on its own, outside any method call. A store calls them in
 * the process that made the change, after the change is stored; a callback must not throw.
 */
export interface StoreHooks {
  /** A pending challenge passed its deadline and is now `expired`. */
  onChallengeExpired?: (challenge: Challenge) => void;
}
