import type { Challenge, CheckOutcome } from '../challenge/challenge.ts';

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

/** A stored reply to a request made with an Idempotency-Key. */
export interface IdempotentReply {
  fingerprint: string;
  status: number;
  body: string;
}

/** Called once when a challenge reaches a terminal state, whatever ended it. */
export type FinishListener = (challenge: Challenge) => void;

/**
 * Everything askgate keeps between requests. Implementations make `recordAttempt` and `cancel`
 * atomic: a challenge changes state at most once, and no more than `maxAttempts` attempts count.
 */
export interface ChallengeStore {
  /** Stores a new pending challenge and indexes its page token hash. */
  create(challenge: Challenge): Promise<void>;
  /** Finds a challenge of `tenantId`; another tenant's challenge is not found. */
  findById(tenantId: string, id: string): Promise<Challenge | null>;
  findByTokenHash(tokenHash: string): Promise<Challenge | null>;
  /**
   * Counts one checked submission. A right answer passes the challenge and assigns a return
   * code unique among live challenges; a wrong one that reaches `maxAttempts` fails it.
   */
  recordAttempt(id: string, outcome: CheckOutcome, now: number): Promise<AttemptResult>;
  cancel(tenantId: string, id: string, now: number): Promise<CancelResult>;
  findIdempotentReply(tenantId: string, key: string): Promise<IdempotentReply | null>;
  saveIdempotentReply(tenantId: string, key: string, reply: IdempotentReply, ttlSeconds: number): Promise<void>;
  onFinish(listener: FinishListener): void;
  /** Stops timers and releases connections. */
  close(): Promise<void>;
}
