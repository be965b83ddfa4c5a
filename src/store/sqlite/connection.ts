import { Database } from 'bun:sqlite';
import { migrateSchema } from './migrate.ts';

/**
 * When SQLite forces the write-ahead log to disk.
 * - `full` (default): at every commit, so an acknowledged write survives a power loss or an OS
 *   crash, as the promise that every accepted challenge survives a restart requires.
 * - `normal`: only at checkpoints. A process crash loses nothing, because the log sits in the OS
 *   page cache, but a power loss or OS crash can drop the commits since the last checkpoint.
 *
 * bench/store-throughput.ts on a 2-core VM with a virtio disk measured `full` at about 3,700
 * creates/s and 5,200 attempts/s, and `normal` at about 13,000 and 34,000 (medians of three
 * runs). `full` depends on fsync latency: while other jobs loaded the same disk it fell to about
 * 350 creates/s. `full` stays the default because each challenge waits for a person to fill in
 * a page, so the expected load (an estimate, not a measurement) is far below a few thousand
 * creates per second.
 */
export type SynchronousMode = 'full' | 'normal';

export interface ConnectionOptions {
  /** Default `full`. */
  synchronous?: SynchronousMode;
  /** How long a write waits for another connection's write lock before it fails. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating when missing) the SQLite file at `path` in WAL mode and migrates its schema.
 * WAL lets readers in other connections run while one connection writes.
 */
export function openDatabase(path: string, options: ConnectionOptions = {}): Database {
  const synchronous = options.synchronous ?? 'full';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new Error(`Invalid SQLite busy timeout ${busyTimeoutMs}. Give a non-negative integer of milliseconds.`);
  }

  const db = new Database(path, { create: true, strict: true });
  try {
    // The busy timeout goes first: switching to WAL and migrating may wait for other connections.
    db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    const journal = db.query<{ journal_mode: string }, []>('PRAGMA journal_mode = WAL').get();
    if (journal?.journal_mode !== 'wal') {
      throw new Error(`SQLite store ${path} could not switch to WAL mode (journal mode is ${journal?.journal_mode}). Use a file on a local disk.`);
    }
    db.run(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // No table declares a foreign key yet. Enforcement is on so that keys added by a later migration hold.
    db.run('PRAGMA foreign_keys = ON');
    migrateSchema(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
