import type { Logger } from '../../log/logger.ts';
import { StoreUnavailableError } from '../store-errors.ts';

/**
 * Calls `expireDue` every `intervalMs` on an unref'd timer, so that it never keeps the process
 * alive. A tick is skipped while the previous run is still going.
 */
export class ExpiryPoller {
  private timer: ReturnType<typeof setInterval> | null;
  private run: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly expireDue: (now: number) => Promise<number>,
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.run;
  }

  private tick(): void {
    if (this.run !== null) return;
    this.run = this.expireDue(Date.now())
      .then(() => {
        this.failures = 0;
      })
      .catch((error: unknown) => this.noteFailure(error))
      .finally(() => {
        this.run = null;
      });
  }

  /**
   * Logs a failed run. Outages are not logged here because the connection already logs them.
   * Other errors are bugs: the first is logged, then every 60th, so a broken poller cannot flood
   * the log.
   */
  private noteFailure(error: unknown): void {
    if (error instanceof StoreUnavailableError) return;
    this.failures += 1;
    if (this.failures % 60 !== 1) return;
    this.logger.error('expiring due challenges failed', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      failures: this.failures,
    });
  }
}
