import { constantTimeEqual } from '../security/digest.ts';
import type { Challenge, CheckOutcome } from '../challenge/challenge.ts';
import { generateReturnCode } from '../challenge/return-code.ts';
import { buildChallengeEvent, type DeliveryAttempt, type EventRecord } from '../events/event.ts';
import { DeadlineQueue } from './deadline-queue.ts';
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

type Deadline =
  | { kind: 'challenge'; id: string }
  | { kind: 'event'; id: string }
  | { kind: 'idempotency'; key: string }
  | { kind: 'rate'; key: string };

interface IdempotencyEntry {
  fingerprint: string;
  reply: IdempotentReply | null;
  expiresAt: number;
}

/**
 * The default store: Maps in this process, expired by one shared deadline timer. Everything is
 * lost on restart and nothing is shared with other processes. Each method runs to completion
 * without awaiting, so every state change is atomic within the process.
 */
export class MemoryStore implements ChallengeStore {
  private readonly challenges = new Map<string, Challenge>();
  private readonly idsByToken = new Map<string, string>();
  private readonly idsByReturnCode = new Map<string, string>();
  /** Pending challenge ids per `tenant\nclient_id`, oldest first. */
  private readonly pendingByClient = new Map<string, string[]>();
  private pendingCount = 0;
  private readonly events = new Map<string, EventRecord>();
  private readonly idempotency = new Map<string, IdempotencyEntry>();
  private readonly rateCounters = new Map<string, { count: number; resetAt: number }>();
  private readonly apiKeys = new Map<string, ApiKeyRecord>();
  private readonly deadlines: DeadlineQueue<Deadline>;
  private readonly retentionMs: number;
  private readonly eventRetentionMs: number;
  private readonly hooks: StoreHooks;

  constructor(options: RetentionOptions & StoreHooks) {
    this.hooks = { onChallengeExpired: options.onChallengeExpired };
    this.retentionMs = options.retentionSeconds * 1000;
    this.eventRetentionMs = options.eventRetentionSeconds * 1000;
    this.deadlines = new DeadlineQueue((deadline) => this.handleDeadline(deadline, Date.now()));
  }

  /** Number of challenges held, finished ones included. */
  get challengeCount(): number {
    return this.challenges.size;
  }

  async createChallenge(challenge: Challenge, limits: CreateLimits, now: number): Promise<CreateResult> {
    const clientKey = challenge.tenantId + '\n' + challenge.clientId;
    const clientPending = this.pendingByClient.get(clientKey) ?? [];
    const toReplace = Math.max(0, clientPending.length + 1 - limits.maxPendingPerClient);
    if (this.pendingCount - toReplace + 1 > limits.maxPendingTotal) return { created: false, reason: 'pending_limit' };

    const replaced: Challenge[] = [];
    for (const id of clientPending.slice(0, toReplace)) {
      const older = this.challenges.get(id);
      if (older && older.status === 'pending') {
        this.finish(older, 'canceled', now);
        replaced.push({ ...older });
      }
    }

    const stored = { ...challenge };
    this.challenges.set(stored.id, stored);
    this.idsByToken.set(stored.tokenHash, stored.id);
    const list = this.pendingByClient.get(clientKey) ?? [];
    list.push(stored.id);
    this.pendingByClient.set(clientKey, list);
    this.pendingCount += 1;
    this.deadlines.push(stored.expiresAt, { kind: 'challenge', id: stored.id });
    return { created: true, replaced };
  }

  async findChallenge(tenantId: string, id: string): Promise<Challenge | null> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return null;
    return { ...challenge };
  }

  async findChallengeByToken(tokenHash: string): Promise<Challenge | null> {
    const id = this.idsByToken.get(tokenHash);
    const challenge = id === undefined ? undefined : this.challenges.get(id);
    return challenge ? { ...challenge } : null;
  }

  async recordAttempt(id: string, outcome: CheckOutcome, now: number): Promise<AttemptResult> {
    const challenge = this.challenges.get(id);
    if (!challenge) return { recorded: false, challenge: null };
    if (challenge.status !== 'pending' || challenge.expiresAt <= now) {
      return { recorded: false, challenge: { ...challenge } };
    }

    challenge.attempts += 1;
    if (outcome === 'right') {
      challenge.returnCode = this.allocateReturnCode(challenge.id);
      this.finish(challenge, 'passed', now);
    } else if (challenge.attempts >= challenge.maxAttempts) {
      this.finish(challenge, 'failed', now);
    }
    return { recorded: true, challenge: { ...challenge } };
  }

  async cancelChallenge(tenantId: string, id: string, now: number): Promise<CancelResult> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
    if (challenge.status !== 'pending') return { outcome: 'not_pending', challenge: { ...challenge } };

    this.finish(challenge, 'canceled', now);
    return { outcome: 'canceled', challenge: { ...challenge } };
  }

  async confirmReturnCode(tenantId: string, id: string, code: string, now: number, windowMs: number): Promise<ConfirmResult> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
    if (challenge.status !== 'passed' || challenge.returnCode === null) return { outcome: 'not_passed', challenge: { ...challenge } };
    if (challenge.confirmedAt !== null) return { outcome: 'already_confirmed', challenge: { ...challenge } };
    if ((challenge.completedAt ?? 0) + windowMs < now) return { outcome: 'window_closed', challenge: { ...challenge } };
    if (!constantTimeEqual(code, challenge.returnCode)) return { outcome: 'mismatch', challenge: { ...challenge } };

    challenge.confirmedAt = now;
    return { outcome: 'confirmed', challenge: { ...challenge } };
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
    this.deadlines.push(expiresAt, { kind: 'idempotency', key: mapKey });
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
      this.deadlines.push(counter.resetAt, { kind: 'rate', key });
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
    found.sort((a, b) => b.createdAt - a.createdAt);
    return found.slice(0, filter.limit);
  }

  async findEvent(tenantId: string, id: string): Promise<EventRecord | null> {
    const event = this.events.get(id);
    return event && event.tenantId === tenantId ? copyEvent(event) : null;
  }

  async leaseDueEvents(now: number, limit: number, leaseMs: number): Promise<EventRecord[]> {
    const leased: EventRecord[] = [];
    for (const event of this.events.values()) {
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
  }

  async redeliverEvent(tenantId: string, id: string, now: number): Promise<EventRecord | null> {
    const event = this.events.get(id);
    if (!event || event.tenantId !== tenantId) return null;
    if (event.webhookUrl !== null) {
      event.status = 'pending';
      event.nextAttemptAt = now;
      event.leaseUntil = null;
    }
    return copyEvent(event);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.deadlines.close();
  }

  /** Moves a pending challenge to a terminal state and stores its event, in one step. */
  private finish(challenge: Challenge, status: Challenge['status'], now: number): void {
    challenge.status = status;
    challenge.completedAt = now;
    this.pendingCount -= 1;
    const clientKey = challenge.tenantId + '\n' + challenge.clientId;
    const list = this.pendingByClient.get(clientKey);
    if (list) {
      const remaining = list.filter((id) => id !== challenge.id);
      if (remaining.length === 0) this.pendingByClient.delete(clientKey);
      else this.pendingByClient.set(clientKey, remaining);
    }

    const event = buildChallengeEvent(challenge, Date.now());
    this.events.set(event.id, event);
    this.deadlines.push(event.createdAt + this.eventRetentionMs, { kind: 'event', id: event.id });
    if (status === 'expired') this.hooks.onChallengeExpired?.({ ...challenge });
  }

  private allocateReturnCode(id: string): string {
    for (;;) {
      const code = generateReturnCode();
      if (this.idsByReturnCode.has(code)) continue;
      this.idsByReturnCode.set(code, id);
      return code;
    }
  }

  private handleDeadline(deadline: Deadline, now: number): void {
    switch (deadline.kind) {
      case 'idempotency': {
        const entry = this.idempotency.get(deadline.key);
        if (entry && entry.expiresAt <= now) this.idempotency.delete(deadline.key);
        return;
      }
      case 'rate': {
        const counter = this.rateCounters.get(deadline.key);
        if (counter && counter.resetAt <= now) this.rateCounters.delete(deadline.key);
        return;
      }
      case 'event': {
        const event = this.events.get(deadline.id);
        // An event still waiting for delivery is kept until it is delivered or dead.
        if (event && event.status === 'pending') this.deadlines.push(now + this.eventRetentionMs, deadline);
        else this.events.delete(deadline.id);
        return;
      }
      case 'challenge':
        this.handleChallengeDeadline(deadline.id, now);
        return;
    }
  }

  private handleChallengeDeadline(id: string, now: number): void {
    const challenge = this.challenges.get(id);
    if (!challenge) return;
    if (challenge.status === 'pending') this.finish(challenge, 'expired', challenge.expiresAt);

    const purgeAt = (challenge.completedAt ?? now) + this.retentionMs;
    if (purgeAt > now) {
      this.deadlines.push(purgeAt, { kind: 'challenge', id });
      return;
    }
    this.challenges.delete(id);
    this.idsByToken.delete(challenge.tokenHash);
    if (challenge.returnCode !== null) this.idsByReturnCode.delete(challenge.returnCode);
  }
}

function copyEvent(event: EventRecord): EventRecord {
  return { ...event, attempts: event.attempts.map((attempt) => ({ ...attempt })) };
}
