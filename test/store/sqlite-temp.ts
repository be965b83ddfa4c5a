import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary folder for SQLite files; `remove()` deletes it with the database, WAL and shm files. */
export interface TempDatabaseDir {
  path: string;
  /** A file path inside the folder. */
  file: (name?: string) => string;
  remove: () => void;
}

export function makeTempDatabaseDir(): TempDatabaseDir {
  const path = mkdtempSync(join(tmpdir(), 'askgate-sqlite-'));
  return {
    path,
    file: (name = 'store.db') => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
