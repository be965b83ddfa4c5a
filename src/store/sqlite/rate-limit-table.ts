import type { Database, Statement } from 'bun:sqlite';
import type { RateLimitHit } from '../store.ts';

/** Statements on the `rate_limits` table: one fixed-window counter per key. */
export class RateLimitTable {
  private readonly hitStatement: Statement<{ count: number; reset_at: number }, [{ key: string; now: number; reset_at: number }]>;
  private readonly resetStatement: Statement<unknown, [{ key: string }]>;
  private readonly purgeBatchStatement: Statement<unknown, [{ now: number; limit: number }]>;

  constructor(db: Database) {
    // One statement, so concurrent hits from any connection each count once. A window that has
    // ended starts over at 1. Both CASE expressions read the old reset_at.
    this.hitStatement = db.prepare(`
      INSERT INTO rate_limits (key, count, reset_at) VALUES ($key, 1, $reset_at)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN rate_limits.reset_at <= $now THEN 1 ELSE rate_limits.count + 1 END,
        reset_at = CASE WHEN rate_limits.reset_at <= $now THEN excluded.reset_at ELSE rate_limits.reset_at END
      RETURNING count, reset_at`);
    this.resetStatement = db.prepare('DELETE FROM rate_limits WHERE key = $key');
    this.purgeBatchStatement = db.prepare(`
      DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE reset_at <= $now LIMIT $limit)`);
  }

  hit(key: string, limit: number, windowSeconds: number, now: number): RateLimitHit {
    const row = this.hitStatement.get({ key, now, reset_at: now + windowSeconds * 1000 });
    if (row === null) throw new Error(`SQLite returned no row for the rate-limit upsert of key ${key}.`);

    const allowed = row.count <= limit;
    const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((row.reset_at - now) / 1000));
    return { allowed, count: row.count, retryAfterSeconds };
  }

  reset(key: string): void {
    this.resetStatement.run({ key });
  }

  /** Deletes up to `limit` counters whose window ended at or before `now` and returns how many. */
  purgeBatch(now: number, limit: number): number {
    return this.purgeBatchStatement.run({ now, limit }).changes;
  }
}
