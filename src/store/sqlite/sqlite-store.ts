import type { Database } from 'bun:sqlite';
import type { Challenge, CheckOutcome } from '../../challenge/challenge.ts';
import { generateReturnCode } from '../../challenge/return-code.ts';
import { buildChallengeEvent, type DeliveryAttempt, type EventRecord } from '../../events/event.ts';
import type { Logger } from '../../log/logger.ts';
import { constantTimeEqual } from '../../security/digest.ts';
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
} from '../store.ts';
import { ApiKeyTable } from './api-key-table.ts';
import { ChallengeTable } from './challenge-table.ts';
import { openDatabase, type ConnectionOptions } from './connection.ts';
import { EventTable } from './event-table.ts';
import { IdempotencyTable } from './idempotency-table.ts';
import { RateLimitTable } from './rate-limit-table.ts';
import { Sweeper } from './sweeper.ts';
import { runInWriteTransaction } from './transaction.ts';

export interface SqliteStoreOptions extends RetentionOptions, ConnectionOptions, StoreHooks {
  /** How often the sweeper expires due challenges and deletes old rows. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** Receives sweep failures, which are dropped when no logger is given. */
  logger?: Logger;
}

/** Challenges expired per transaction, so that other connections can write between batches. */
const expireBatchSize = 500;
/** Bound on return-code draws; at 31^7 codes a second collision in a row is already unlikely. */
const maxReturnCodeDraws = 20;

/**
 * A durable store in one SQLite file, shared safely by several processes on the same host. Each
 * state change runs in a `BEGIN IMMEDIATE` transaction (or is a single statement), and each
 * terminal transition inserts its event in the same transaction. A sweeper owned by the store
 * expires due challenges about every second and deletes rows past retention.
 *
 * bun:sqlite is synchronous: the methods are async only to fit the interface, and each one runs
 * to completion before another starts in this process.
 */
export class SqliteStore implements ChallengeStore {
  private readonly challenges: ChallengeTable;
  private readonly events: EventTable;
  private readonly idempotency: IdempotencyTable;
  private readonly rateLimits: RateLimitTable;
  private readonly apiKeys: ApiKeyTable;
  private readonly sweeper: Sweeper;
  private closed = false;
  private readonly onChallengeExpired: StoreHooks['onChallengeExpired'];

  constructor(
    private readonly db: Database,
    options: SqliteStoreOptions,
  ) {
    this.onChallengeExpired = options.onChallengeExpired;
    this.challenges = new ChallengeTable(db);
    this.events = new EventTable(db);
    this.idempotency = new IdempotencyTable(db);
    this.rateLimits = new RateLimitTable(db);
    this.apiKeys = new ApiKeyTable(db);
    this.sweeper = new Sweeper({
      intervalMs: options.sweepIntervalMs ?? 1000,
      retentionMs: options.retentionSeconds * 1000,
      eventRetentionMs: options.eventRetentionSeconds * 1000,
      expireDue: (now) => this.expireDueNow(now),
      purgeBatch: {
        challenges: (cutoff, limit) => this.challenges.purgeBatch(cutoff, limit),
        events: (cutoff, limit) => this.events.purgeBatch(cutoff, limit),
        idempotencyKeys: (now, limit) => this.idempotency.purgeBatch(now, limit),
        rateLimits: (now, limit) => this.rateLimits.purgeBatch(now, limit),
      },
      logger: options.logger ?? null,
    });
    this.sweeper.start();
  }

  async createChallenge(challenge: Challenge, limits: CreateLimits, now: number): Promise<CreateResult> {
    return runInWriteTransaction(this.db, (): CreateResult => {
      const clientPending = this.challenges.listPendingIdsOfClient(challenge.tenantId, challenge.clientId);
      const toReplace = Math.max(0, clientPending.length + 1 - limits.maxPendingPerClient);
      if (this.challenges.countPending() - toReplace + 1 > limits.maxPendingTotal) return { created: false, reason: 'pending_limit' };

      const replaced: Challenge[] = [];
      for (const id of clientPending.slice(0, toReplace)) {
        const canceled = this.cancelWithEvent(id, null, now);
        if (canceled) replaced.push(canceled);
      }

      this.challenges.insert(challenge);
      return { created: true, replaced };
    });
  }

  async findChallenge(tenantId: string, id: string): Promise<Challenge | null> {
    const challenge = this.challenges.findById(id);
    return challenge && challenge.tenantId === tenantId ? challenge : null;
  }

  async findChallengeByToken(tokenHash: string): Promise<Challenge | null> {
    return this.challenges.findByToken(tokenHash);
  }

  async recordAttempt(id: string, outcome: CheckOutcome, now: number): Promise<AttemptResult> {
    return runInWriteTransaction(this.db, (): AttemptResult => {
      const updated = outcome === 'right'
        ? this.challenges.pass(id, this.allocateReturnCode(), now)
        : this.challenges.countWrongAttempt(id, now);
      if (!updated) return { recorded: false, challenge: this.challenges.findById(id) };

      if (updated.status !== 'pending') this.events.insert(buildChallengeEvent(updated, now));
      return { recorded: true, challenge: updated };
    });
  }

  async cancelChallenge(tenantId: string, id: string, now: number): Promise<CancelResult> {
    return runInWriteTransaction(this.db, (): CancelResult => {
      const canceled = this.cancelWithEvent(id, tenantId, now);
      if (canceled) return { outcome: 'canceled', challenge: canceled };

      const challenge = this.challenges.findById(id);
      if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
      return { outcome: 'not_pending', challenge };
    });
  }

  async confirmReturnCode(tenantId: string, id: string, code: string, now: number, windowMs: number): Promise<ConfirmResult> {
    return runInWriteTransaction(this.db, (): ConfirmResult => {
      const challenge = this.challenges.findById(id);
      if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
      if (challenge.status !== 'passed' || challenge.returnCode === null) return { outcome: 'not_passed', challenge };
      if (challenge.confirmedAt !== null) return { outcome: 'already_confirmed', challenge };
      if ((challenge.completedAt ?? 0) + windowMs < now) return { outcome: 'window_closed', challenge };
      if (!constantTimeEqual(code, challenge.returnCode)) return { outcome: 'mismatch', challenge };

      const confirmed = this.challenges.confirm(id, now);
      return confirmed ? { outcome: 'confirmed', challenge: confirmed } : { outcome: 'already_confirmed', challenge };
    });
  }

  async expireDue(now: number): Promise<number> {
    return this.expireDueNow(now);
  }

  async countPending(): Promise<number> {
    return this.challenges.countPending();
  }

  async claimIdempotencyKey(tenantId: string, key: string, fingerprint: string, ttlSeconds: number, now: number): Promise<IdempotencyClaim> {
    return this.idempotency.claim(tenantId, key, fingerprint, ttlSeconds, now);
  }

  async completeIdempotencyKey(tenantId: string, key: string, reply: IdempotentReply): Promise<void> {
    this.idempotency.complete(tenantId, key, reply);
  }

  async releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
    this.idempotency.release(tenantId, key);
  }

  async hitRateLimit(key: string, limit: number, windowSeconds: number, now: number): Promise<RateLimitHit> {
    return this.rateLimits.hit(key, limit, windowSeconds, now);
  }

  async resetRateLimit(key: string): Promise<void> {
    this.rateLimits.reset(key);
  }

  async saveApiKey(record: ApiKeyRecord): Promise<void> {
    this.apiKeys.save(record);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return this.apiKeys.findByHash(keyHash);
  }

  async listApiKeys(tenantId: string | null): Promise<ApiKeyRecord[]> {
    return this.apiKeys.list(tenantId);
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    return this.apiKeys.revoke(id, now);
  }

  async listEvents(tenantId: string, filter: EventFilter): Promise<EventRecord[]> {
    return this.events.list(tenantId, filter);
  }

  async findEvent(tenantId: string, id: string): Promise<EventRecord | null> {
    return this.events.find(tenantId, id);
  }

  async leaseDueEvents(now: number, limit: number, leaseMs: number): Promise<EventRecord[]> {
    return this.events.lease(now, limit, leaseMs);
  }

  async recordDelivery(eventId: string, attempt: DeliveryAttempt, outcome: DeliveryOutcome): Promise<void> {
    this.events.recordDelivery(eventId, attempt, outcome);
  }

  async redeliverEvent(tenantId: string, id: string, now: number): Promise<EventRecord | null> {
    return this.events.redeliver(tenantId, id, now);
  }

  async ping(): Promise<void> {
    this.db.query('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sweeper.stop();
    // `true` finalizes the prepared statements, so the connection closes now instead of when they
    // are garbage collected. The last connection to close checkpoints the WAL and deletes it.
    this.db.close(true);
  }

  /** Expires due challenges in batches, each batch and its events in one transaction. */
  private expireDueNow(now: number): number {
    let total = 0;
    for (;;) {
      const batch = runInWriteTransaction(this.db, () => {
        const expired = this.challenges.expireBatch(now, expireBatchSize);
        for (const challenge of expired) this.events.insert(buildChallengeEvent(challenge, now));
        return expired;
      });
      for (const challenge of batch) this.onChallengeExpired?.(challenge);
      total += batch.length;
      if (batch.length < expireBatchSize) return total;
    }
  }

  /** Cancels a pending challenge and inserts its event, inside the caller's write transaction. */
  private cancelWithEvent(id: string, tenantId: string | null, now: number): Challenge | null {
    const canceled = this.challenges.finish(id, tenantId, 'canceled', now);
    if (canceled) this.events.insert(buildChallengeEvent(canceled, now));
    return canceled;
  }

  /**
   * Draws a return code that no stored challenge has. It runs inside the caller's write
   * transaction, so no other connection can take the code before it is written. The unique index
   * on return_code backs this up.
   */
  private allocateReturnCode(): string {
    for (let draw = 0; draw < maxReturnCodeDraws; draw++) {
      const code = generateReturnCode();
      if (!this.challenges.isReturnCodeTaken(code)) return code;
    }
    throw new Error(`Failed to draw an unused return code in ${maxReturnCodeDraws} tries. The SQLite store contains too many passed challenges, so lower the retention.`);
  }
}

/**
 * Opens the SQLite store at `path`, creating the file and migrating its schema as needed, and
 * starts its sweeper. Call `close()` to stop the sweeper and release the file.
 *
 * @example
 * const store = openSqliteStore('/var/lib/askgate/store.db', { retentionSeconds: 900, eventRetentionSeconds: 604800 });
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions): SqliteStore {
  const db = openDatabase(path, options);
  return new SqliteStore(db, options);
}
