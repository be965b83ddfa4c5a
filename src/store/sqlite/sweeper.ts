import type { Logger } from '../../log/logger.ts';

/** Deletes up to `limit` rows older than `cutoff` (epoch ms) and returns how many it deleted. */
type PurgeBatch = (cutoff: number, limit: number) => number;

export interface SweeperOptions {
  intervalMs: number;
  /** How long a finished challenge is kept. */
  retentionMs: number;
  /** How long an event is kept after creation, unless it is still pending delivery. */
  eventRetentionMs: number;
  expireDue: (now: number) => number;
  purgeBatch: {
    challenges: PurgeBatch;
    events: PurgeBatch;
    /** Takes `now`: an idempotency claim carries its own expiry. */
    idempotencyKeys: PurgeBatch;
    /** Takes `now`: a counter carries its own reset time. */
    rateLimits: PurgeBatch;
  };
  logger: Logger | null;
}

const purgeBatchSize = 1000;
/** Bounds one sweep's deletes per table, so that a large backlog drains over several sweeps. */
const maxPurgeBatchesPerSweep = 20;
const errorLogIntervalMs = 60_000;

/**
 * Runs the store's housekeeping on an unref'd interval timer, so that it never keeps the process
 * alive: expires due challenges, then deletes finished challenges past retention, events past
 * event retention, lapsed idempotency claims and ended rate-limit windows. Every process with the
 * store open runs one, and the conditional updates make the overlap harmless.
 */
export class Sweeper {
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastErrorLoggedAt = -Infinity;
  private failuresSinceLog = 0;

  constructor(private readonly options: SweeperOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(Date.now()), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs one sweep; failures are logged (at most once a minute) and retried on the next tick. */
  sweep(now: number): void {
    try {
      this.options.expireDue(now);
      const purge = this.options.purgeBatch;
      purgeAll(purge.challenges, now - this.options.retentionMs);
      purgeAll(purge.events, now - this.options.eventRetentionMs);
      purgeAll(purge.idempotencyKeys, now);
      purgeAll(purge.rateLimits, now);
    } catch (error) {
      this.reportFailure(error, now);
    }
  }

  private reportFailure(error: unknown, now: number): void {
    this.failuresSinceLog += 1;
    if (now - this.lastErrorLoggedAt < errorLogIntervalMs) return;

    this.options.logger?.warn('sqlite store sweep failed; retrying on the next sweep', {
      error: error instanceof Error ? error.message : String(error),
      failures: this.failuresSinceLog,
    });
    this.lastErrorLoggedAt = now;
    this.failuresSinceLog = 0;
  }
}

function purgeAll(purgeBatch: PurgeBatch, cutoff: number): void {
  for (let batch = 0; batch < maxPurgeBatchesPerSweep; batch++) {
    if (purgeBatch(cutoff, purgeBatchSize) < purgeBatchSize) return;
  }
}
