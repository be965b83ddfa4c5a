/**
 * Lets one log line per key through in each interval and counts the ones it holds back, so that an
 * outage that fails thousands of calls per second writes a few lines, not thousands.
 */
export class RepeatLimiter {
  private readonly windows = new Map<string, { openedAt: number; suppressed: number }>();

  constructor(private readonly intervalMs = 10_000, private readonly now: () => number = Date.now) {}

  /**
   * Returns null when a line for `key` was already let through in this interval, else the number
   * of lines held back since the previous one (0 the first time), to be logged with this line.
   */
  admit(key: string): number | null {
    const now = this.now();
    const window = this.windows.get(key);
    if (window !== undefined && now - window.openedAt < this.intervalMs) {
      window.suppressed += 1;
      return null;
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.set(key, { openedAt: now, suppressed: 0 });
    if (this.windows.size > 1000) this.windows.clear();
    return suppressed;
  }
}
