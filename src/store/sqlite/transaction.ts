import type { Database } from 'bun:sqlite';

/**
 * Runs `work` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws. IMMEDIATE takes the
 * write lock before the first read, so what `work` reads cannot change before it writes, also
 * when other processes use the same file. A deferred transaction would read first and could then
 * fail to upgrade to a write lock with SQLITE_BUSY, which the busy timeout does not retry.
 *
 * NOTE: bun:sqlite is synchronous, so while another process holds the write lock this call blocks
 * the event loop for up to the connection's busy_timeout before it throws SQLITE_BUSY.
 */
export function runInWriteTransaction<T>(db: Database, work: () => T): T {
  db.query('BEGIN IMMEDIATE').run();
  try {
    const result = work();
    db.query('COMMIT').run();
    return result;
  } catch (error) {
    if (db.inTransaction) db.query('ROLLBACK').run();
    throw error;
  }
}
