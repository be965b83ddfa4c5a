import { terminalStatuses, type Challenge, type CheckOutcome } from '../challenge/challenge.ts';
import { generateReturnCode } from '../challenge/return-code.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import type {
  AttemptResult,
  CancelResult,
  ChallengeStore,
  FinishListener,
  IdempotentReply,
} from './store.ts';

export interface MemoryStoreOptions {
  /** How long a finished challenge stays readable before it is dropped. */
  retentionSeconds: number;
}

const idempotencyPrefix = 'idem\n';

/**
 * The default store: plain Maps in this process, expired by one shared deadline timer.
 * Everything is lost on restart. Each method runs to completion without awaiting, so state
 * changes are atomic within the process.
 */
export class MemoryStore implements ChallengeStore {
  private readonly challenges = new Map<string, Challenge>();
  private readonly idsByToken = new Map<string, string>();
  private readonly idsByReturnCode = new Map<string, string>();
  private readonly idempotent = new Map<string, { reply: IdempotentReply; expiresAt: number }>();
  private readonly listeners: FinishListener[] = [];
  private readonly deadlines: DeadlineQueue<string>;
  private readonly retentionMs: number;

  constructor(options: MemoryStoreOptions) {
    this.retentionMs = options.retentionSeconds * 1000;
    this.deadlines = new DeadlineQueue((key) => this.handleDeadline(key));
  }

  /** Number of challenges held, finished ones included. */
  get challengeCount(): number {
    return this.challenges.size;
  }

  async create(challenge: Challenge): Promise<void> {
    this.challenges.set(challenge.id, challenge);
    this.idsByToken.set(challenge.tokenHash, challenge.id);
    this.deadlines.push(challenge.expiresAt, challenge.id);
  }

  async findById(tenantId: string, id: string): Promise<Challenge | null> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return null;
    return { ...challenge };
  }

  async findByTokenHash(tokenHash: string): Promise<Challenge | null> {
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

  async cancel(tenantId: string, id: string, now: number): Promise<CancelResult> {
    const challenge = this.challenges.get(id);
    if (!challenge || challenge.tenantId !== tenantId) return { outcome: 'not_found' };
    if (challenge.status !== 'pending') return { outcome: 'not_pending', challenge: { ...challenge } };

    this.finish(challenge, 'canceled', now);
    return { outcome: 'canceled', challenge: { ...challenge } };
  }

  async findIdempotentReply(tenantId: string, key: string): Promise<IdempotentReply | null> {
    const entry = this.idempotent.get(idempotencyPrefix + tenantId + '\n' + key);
    if (!entry || entry.expiresAt <= Date.now()) return null;
    return entry.reply;
  }

  async saveIdempotentReply(tenantId: string, key: string, reply: IdempotentReply, ttlSeconds: number): Promise<void> {
    const mapKey = idempotencyPrefix + tenantId + '\n' + key;
    const expiresAt = Date.now() + ttlSeconds * 1000;
    this.idempotent.set(mapKey, { reply, expiresAt });
    this.deadlines.push(expiresAt, mapKey);
  }

  onFinish(listener: FinishListener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.deadlines.close();
  }

  private finish(challenge: Challenge, status: Challenge['status'], now: number): void {
    challenge.status = status;
    challenge.completedAt = now;
    const snapshot = { ...challenge };
    for (const listener of this.listeners) listener(snapshot);
  }

  private allocateReturnCode(id: string): string {
    for (;;) {
      const code = generateReturnCode();
      if (this.idsByReturnCode.has(code)) continue;
      this.idsByReturnCode.set(code, id);
      return code;
    }
  }

  private handleDeadline(key: string): void {
    if (key.startsWith(idempotencyPrefix)) {
      const entry = this.idempotent.get(key);
      if (entry && entry.expiresAt <= Date.now()) this.idempotent.delete(key);
      return;
    }

    const challenge = this.challenges.get(key);
    if (!challenge) return;
    const now = Date.now();
    if (challenge.status === 'pending') {
      this.finish(challenge, 'expired', challenge.expiresAt);
    }
    if (!terminalStatuses.has(challenge.status)) return;

    const purgeAt = (challenge.completedAt ?? now) + this.retentionMs;
    if (purgeAt > now) {
      this.deadlines.push(purgeAt, key);
      return;
    }
    this.challenges.delete(key);
    this.idsByToken.delete(challenge.tokenHash);
    if (challenge.returnCode !== null) this.idsByReturnCode.delete(challenge.returnCode);
  }
}
