import { constantTimeEqual } from '../security/digest.ts';
import type { Challenge, CheckOutcome, MetadataValue, ReturnTarget, StoredQuestion, Verifier } from '../challenge/challenge.ts';
import { generateReturnCode } from '../challenge/return-code.ts';
import { buildChallengeEvent, type DeliveryAttempt, type EventRecord } from '../events/event.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import { LinearHashMap } from './linear-hash-map.ts';
import { SharedValues } from './shared-values.ts';
import type {
  ApiKeyRecord,
  AttemptResult,
  CancelResult,
  ChallengeStore,
  ConfirmResult,
  CreateLimits,
  CreateResult,
  DeliveryOutcome,
  EventFilter,
  IdempotencyClaim,
  IdempotentReply,
  RateLimitHit,
  RetentionOptions,
  StoreHooks,
} from './store.ts';

/** Kind of record a deadline entry's key names; the queue carries it as the entry's tag. */
const enum DeadlineKind {
  Challenge = 0,
  Event = 1,
  Idempotency = 2,
  RateLimit = 3,
}

/** Distinct values kept per cache of shared copies; a bot uses a handful of each. */
const sharedValuesPerKind = 1000;

/** The metadata of challenges created without any: one frozen object for all of them. */
const noMetadata: Record<string, MetadataValue> = Object.freeze({});

/**
 * A challenge as this store keeps it: a one-question challenge keeps its question without the
 * array around it. copyOut() rebuilds the Challenge.
 */
type StoredChallenge = Omit<Challenge, 'questions'> & { questions: StoredQuestion | StoredQuestion[] };

/** Pending challenge ids of one client, oldest first; a bare id in the usual case of one. */
type ClientPending = string | string[];

interface IdempotencyEntry {
  fingerprint: string;
  reply: IdempotentReply | null;
  expiresAt: number;
}

/**
 * The default store: Maps in this process, expired by one shared deadline timer. Everything is
 * lost on restart and nothing is shared with other processes. Each method runs to completion
 * without awaiting, so every state change is atomic within the process.
 *
 * To hold a million pending challenges in less than a kilobyte each (bench/memory measures it),
 * records share equal question texts, return targets and verifiers. The shared objects are
 * frozen, so callers must copy a returned challenge's nested objects before changing them.
 */
export class MemoryStore implements ChallengeStore {
  // The collections that grow with the traffic are LinearHashMaps, which keep the garbage
  // collector from rescanning all their entries after every insert.
  private readonly challenges = new LinearHashMap<StoredChallenge>();
  private readonly challengesByToken = new LinearHashMap<StoredChallenge>();
  private readonly idsByReturnCode = new LinearHashMap<string>();
  /** Pending challenge ids per tenant, then per client_id. */
  private readonly pendingByClient = new Map<string, LinearHashMap<ClientPending>>();
  private pendingCount = 0;
  private readonly sharedStrings = new SharedValues<string>(sharedValuesPerKind);
  private readonly sharedObjects = new SharedValues<object>(sharedValuesPerKind);
  private readonly events = new LinearHashMap<EventRecord>();
  /**
   * The events whose status is `pending`, the only ones leaseDueEvents can return. Events
   * without a webhook URL never enter it, so the webhook worker's frequent polls do not scan
   * every stored event.
   */
  private readonly pendingEvents = new Map<string, EventRecord>();
  private readonly idempotency = new LinearHashMap<IdempotencyEntry>();
  private readonly rateCounters = new LinearHashMap<{ count: number; resetAt: number }>();
  private readonly apiKeys = new Map<string, ApiKeyRecord>();
  private readonly deadlines: DeadlineQueue<string>;
  private readonly retentionMs: number;
  private readonly eventRetentionMs: number;
  private readonly hooks: StoreHooks;

  constructor(options: RetentionOptions & StoreHooks) {
    this.hooks = { onChallengeExpired: options.onChallengeExpired };
    this.retentionMs = options.retentionSeconds * 1000;
    this.eventRetentionMs = options.eventRetentionSeconds * 1000;
    this.deadlines = new DeadlineQueue((key, kind) => this.handleDeadline(kind, key, Date.now()));
  }

  /** Number of challenges held, finished ones included. */
  get challengeCount(): number {
    return this.challenges.size;
  }

  async createChallenge(challenge: Challenge, limits: CreateLimits, now: number): Promise<CreateResult> {
    const clientPending = this.pendingIdsOf(challenge.tenantId, challenge.clientId);
    const toReplace = Math.max(0, clientPending.length + 1 - limits.maxPendingPerClient);
    if (this.pendingCount - toReplace + 1 > limits.maxPendingTotal) return { created: false, reason: 'pending_limit' };

    const replaced: Challenge[] = [];
    for (const id of clientPending.slice(0, toReplace)) {
      const older = this.challenges.get(id);
      if (older && older.status === 'pending') {
        this.finish(older, 'canceled', now);
        replaced.push(copyOut(older));
      }
    }

    const stored = this.compact(challenge);
    this.challenges.set(stored.id, stored);
    this.challengesByToken.set(stored.tokenHash, stored);
    this.addPending(stored);
    this.pendingCount += 1;
    this.deadlines.push(stored.expiresAt, stored.id, DeadlineKind.Challenge);
    return { created: true, replaced };
  }

  async findChallenge(tenantId: string, id: string): Promise<Challenge | null> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return null;
    return copyOut(challenge);
  }

  async findChallengeByToken(tokenHash: string): Promise<Challenge | null> {
    const challenge = this.challengesByToken.get(tokenHash);
    return challenge ? copyOut(challenge) : null;
  }

  async recordAttempt(id: string, outcome: CheckOutcome, now: number): Promise<AttemptResult> {
    const challenge = this.challenges.get(id);
    if (!challenge) return { recorded: false, challenge: null };
    if (challenge.status !== 'pending' || challenge.expiresAt <= now) {
      return { recorded: false, challenge: copyOut(challenge) };
    }

    challenge.attempts += 1;
    if (outcome === 'right') {
      challenge.returnCode = this.allocateReturnCode(challenge.id);
      this.finish(challenge, 'passed', now);
    } else if (challenge.attempts >= challenge.maxAttempts) {
      this.finish(challenge, 'failed', now);
    }
    return { recorded: true, challenge: copyOut(challenge) };
  }

  async cancelChallenge(tenantId: string, id: string, now: number): Promise<CancelResult> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
    if (challenge.status !== 'pending') return { outcome: 'not_pending', challenge: copyOut(challenge) };

    this.finish(challenge, 'canceled', now);
    return { outcome: 'canceled', challenge: copyOut(challenge) };
  }

  async confirmReturnCode(tenantId: string, id: string, code: string, now: number, windowMs: number): Promise<ConfirmResult> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
    if (challenge.status !== 'passed' || challenge.returnCode === null) return { outcome: 'not_passed', challenge: copyOut(challenge) };
    if (challenge.confirmedAt !== null) return { outcome: 'already_confirmed', challenge: copyOut(challenge) };
    if ((challenge.completedAt ?? 0) + windowMs < now) return { outcome: 'window_closed', challenge: copyOut(challenge) };
    if (!constantTimeEqual(code, challenge.returnCode)) return { outcome: 'mismatch', challenge: copyOut(challenge) };

    challenge.confirmedAt = now;
    return { outcome: 'confirmed', challenge: copyOut(challenge) };
  }

  async expireDue(now: number): Promise<number> {
    let expired = 0;
    for (const challenge of this.challenges.values()) {
      if (challenge.status === 'pending' && challenge.expiresAt <= now) {
        this.finish(challenge, 'expired', challenge.expiresAt);
        expired += 1;
      }
    }
    return expired;
  }

  async countPending(): Promise<number> {
    return this.pendingCount;
  }

  async claimIdempotencyKey(tenantId: string, key: string, fingerprint: string, ttlSeconds: number, now: number): Promise<IdempotencyClaim> {
    const mapKey = tenantId + '\n' + key;
    const entry = this.idempotency.get(mapKey);
    if (entry && entry.expiresAt > now) {
      if (entry.fingerprint !== fingerprint) return { state: 'mismatch' };
      return entry.reply === null ? { state: 'in_progress' } : { state: 'replay', reply: entry.reply };
    }
    const expiresAt = now + ttlSeconds * 1000;
    this.idempotency.set(mapKey, { fingerprint, reply: null, expiresAt });
    this.deadlines.push(expiresAt, mapKey, DeadlineKind.Idempotency);
    return { state: 'claimed' };
  }

  async completeIdempotencyKey(tenantId: string, key: string, reply: IdempotentReply): Promise<void> {
    const entry = this.idempotency.get(tenantId + '\n' + key);
    if (entry) entry.reply = reply;
  }

  async releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
    this.idempotency.delete(tenantId + '\n' + key);
  }

  async hitRateLimit(key: string, limit: number, windowSeconds: number, now: number): Promise<RateLimitHit> {
    let counter = this.rateCounters.get(key);
    if (!counter || counter.resetAt <= now) {
      counter = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.rateCounters.set(key, counter);
      this.deadlines.push(counter.resetAt, key, DeadlineKind.RateLimit);
    }
    counter.count += 1;
    const allowed = counter.count <= limit;
    return { allowed, count: counter.count, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((counter.resetAt - now) / 1000)) };
  }

  async resetRateLimit(key: string): Promise<void> {
    this.rateCounters.delete(key);
  }

  async saveApiKey(record: ApiKeyRecord): Promise<void> {
    this.apiKeys.set(record.id, { ...record });
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    for (const record of this.apiKeys.values()) {
      if (record.keyHash === keyHash) return { ...record };
    }
    return null;
  }

  async listApiKeys(tenantId: string | null): Promise<ApiKeyRecord[]> {
    return [...this.apiKeys.values()]
      .filter((record) => tenantId === null || record.tenantId === tenantId)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((record) => ({ ...record }));
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    const record = this.apiKeys.get(id);
    if (!record) return false;
    record.revokedAt ??= now;
    return true;
  }

  async listEvents(tenantId: string, filter: EventFilter): Promise<EventRecord[]> {
    const found: EventRecord[] = [];
    for (const event of this.events.values()) {
      if (event.tenantId !== tenantId) continue;
      if (filter.challengeId !== undefined && event.challengeId !== filter.challengeId) continue;
      if (filter.status !== undefined && event.status !== filter.status) continue;
      found.push(copyEvent(event));
    }
    found.sort(newestFirst);
    return found.slice(0, filter.limit);
  }

  async findEvent(tenantId: string, id: string): Promise<EventRecord | null> {
    const event = this.events.get(id);
    return event && event.tenantId === tenantId ? copyEvent(event) : null;
  }

  async leaseDueEvents(now: number, limit: number, leaseMs: number): Promise<EventRecord[]> {
    const leased: EventRecord[] = [];
    for (const event of this.pendingEvents.values()) {
      if (leased.length >= limit) break;
      if (event.status !== 'pending' || event.nextAttemptAt === null || event.nextAttemptAt > now) continue;
      if (event.leaseUntil !== null && event.leaseUntil > now) continue;
      event.leaseUntil = now + leaseMs;
      leased.push(copyEvent(event));
    }
    return leased;
  }

  async recordDelivery(eventId: string, attempt: DeliveryAttempt, outcome: DeliveryOutcome): Promise<void> {
    const event = this.events.get(eventId);
    if (!event) return;
    event.attempts.push({ ...attempt });
    event.status = outcome.status;
    event.nextAttemptAt = outcome.status === 'pending' ? outcome.nextAttemptAt : null;
    event.leaseUntil = null;
    this.trackPendingEvent(event);
  }

  async redeliverEvent(tenantId: string, id: string, now: number): Promise<EventRecord | null> {
    const event = this.events.get(id);
    if (!event || event.tenantId !== tenantId) return null;
    if (event.webhookUrl !== null) {
      event.status = 'pending';
      event.nextAttemptAt = now;
      event.leaseUntil = null;
      this.trackPendingEvent(event);
    }
    return copyEvent(event);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.deadlines.close();
  }

  /** Moves a pending challenge to a terminal state and stores its event, in one step. */
  private finish(challenge: StoredChallenge, status: Challenge['status'], now: number): void {
    challenge.status = status;
    challenge.completedAt = now;
    this.pendingCount -= 1;
    this.removePending(challenge);

    const event = buildChallengeEvent(copyOut(challenge), Date.now());
    this.events.set(event.id, event);
    this.trackPendingEvent(event);
    this.deadlines.push(event.createdAt + this.eventRetentionMs, event.id, DeadlineKind.Event);
    if (status === 'expired') this.hooks.onChallengeExpired?.(copyOut(challenge));
  }

  private trackPendingEvent(event: EventRecord): void {
    if (event.status === 'pending') this.pendingEvents.set(event.id, event);
    else this.pendingEvents.delete(event.id);
  }

  /**
   * Copies a new challenge for storage. Equal questions, return targets and verifiers of
   * different challenges become one shared, frozen copy; the caller's objects stay untouched.
   */
  private compact(challenge: Challenge): StoredChallenge {
    const questions = challenge.questions.map(
      (question): StoredQuestion => ({
        ...question,
        id: this.sharedStrings.get(question.id, () => question.id),
        prompt: this.sharedStrings.get(question.prompt, () => question.prompt),
      }),
    );
    const metadata = Object.keys(challenge.metadata).length === 0 ? noMetadata : challenge.metadata;
    return {
      ...challenge,
      questions: questions.length === 1 ? (questions[0] as StoredQuestion) : questions,
      verifier: this.shareObject(challenge.verifier),
      returnTarget: this.shareObject(challenge.returnTarget),
      metadata,
    };
  }

  private shareObject<V extends ReturnTarget | Verifier>(value: V): V {
    return this.sharedObjects.get(JSON.stringify(value), () => Object.freeze({ ...value })) as V;
  }

  private pendingIdsOf(tenantId: string, clientId: string): readonly string[] {
    const pending = this.pendingByClient.get(tenantId)?.get(clientId);
    if (pending === undefined) return [];
    return typeof pending === 'string' ? [pending] : pending;
  }

  private addPending(challenge: StoredChallenge): void {
    let clients = this.pendingByClient.get(challenge.tenantId);
    if (clients === undefined) {
      clients = new LinearHashMap();
      this.pendingByClient.set(challenge.tenantId, clients);
    }
    const pending = clients.get(challenge.clientId);
    if (pending === undefined) clients.set(challenge.clientId, challenge.id);
    else if (typeof pending === 'string') clients.set(challenge.clientId, [pending, challenge.id]);
    else pending.push(challenge.id);
  }

  private removePending(challenge: StoredChallenge): void {
    const clients = this.pendingByClient.get(challenge.tenantId);
    const pending = clients?.get(challenge.clientId);
    if (clients === undefined || pending === undefined) return;

    const remaining = typeof pending === 'string' ? [pending] : pending;
    const left = remaining.filter((id) => id !== challenge.id);
    if (left.length === 0) clients.delete(challenge.clientId);
    else clients.set(challenge.clientId, left.length === 1 ? (left[0] as string) : left);
    if (clients.size === 0) this.pendingByClient.delete(challenge.tenantId);
  }

  private allocateReturnCode(id: string): string {
    for (;;) {
      const code = generateReturnCode();
      if (this.idsByReturnCode.has(code)) continue;
      this.idsByReturnCode.set(code, id);
      return code;
    }
  }

  private handleDeadline(kind: DeadlineKind, key: string, now: number): void {
    switch (kind) {
      case DeadlineKind.Idempotency: {
        const entry = this.idempotency.get(key);
        if (entry && entry.expiresAt <= now) this.idempotency.delete(key);
        return;
      }
      case DeadlineKind.RateLimit: {
        const counter = this.rateCounters.get(key);
        if (counter && counter.resetAt <= now) this.rateCounters.delete(key);
        return;
      }
      case DeadlineKind.Event: {
        const event = this.events.get(key);
        // An event still waiting for delivery is kept until it is delivered or dead.
        if (event && event.status === 'pending') this.deadlines.push(now + this.eventRetentionMs, key, DeadlineKind.Event);
        else this.events.delete(key);
        return;
      }
      case DeadlineKind.Challenge:
        this.handleChallengeDeadline(key, now);
        return;
    }
  }

  private handleChallengeDeadline(id: string, now: number): void {
    const challenge = this.challenges.get(id);
    if (!challenge) return;
    if (challenge.status === 'pending') this.finish(challenge, 'expired', challenge.expiresAt);

    const purgeAt = (challenge.completedAt ?? now) + this.retentionMs;
    if (purgeAt > now) {
      this.deadlines.push(purgeAt, id, DeadlineKind.Challenge);
      return;
    }
    this.challenges.delete(id);
    this.challengesByToken.delete(challenge.tokenHash);
    if (challenge.returnCode !== null) this.idsByReturnCode.delete(challenge.returnCode);
  }
}

/** Returns a copy of a stored challenge in the shape of Challenge; nested objects are shared. */
function copyOut(challenge: StoredChallenge): Challenge {
  const questions = Array.isArray(challenge.questions) ? challenge.questions : [challenge.questions];
  return { ...challenge, questions };
}

/**
 * Orders events newest first. LinearHashMap does not keep insertion order, so equal times fall
 * back to the id, descending, which is how a Redis sorted set orders equal scores in reverse.
 */
function newestFirst(a: EventRecord, b: EventRecord): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

function copyEvent(event: EventRecord): EventRecord {
  return { ...event, attempts: event.attempts.map((attempt) => ({ ...attempt })) };
}
