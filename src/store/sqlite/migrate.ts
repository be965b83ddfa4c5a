import type { Database } from 'bun:sqlite';
import { migrations as defaultMigrations, type Migration } from './migrations.ts';
import { runInWriteTransaction } from './transaction.ts';

/** A database file whose schema is newer than the last migration of this build. */
export class SchemaVersionError extends Error {
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly latestKnownVersion: number,
  ) {
    super(
      `SQLite store ${path} has schema version ${fileVersion}, but this askgate build supports versions up to ` +
        `${latestKnownVersion}. Run a newer askgate on this file, or point ASKGATE_STORE at another file.`,
    );
    this.name = 'SchemaVersionError';
  }
}

/**
 * Brings the schema of `db` up to the last entry of `migrations` and returns the versions it
 * applied (empty when the file was already current). The schema version is `PRAGMA user_version`,
 * which SQLite stores in the file header and changes inside the same transaction as the
 * migrations, so a crash leaves the file at the old or the new version, never in between.
 * `BEGIN IMMEDIATE` makes processes opening the same file at once apply each migration once.
 *
 * Throws `SchemaVersionError` when the file is at a version newer than the last migration.
 */
export function migrateSchema(db: Database, path: string, migrations: readonly Migration[] = defaultMigrations): number[] {
  checkMigrationList(migrations);
  const latest = migrations.length;

  return runInWriteTransaction(db, () => {
    const current = readSchemaVersion(db);
    if (current > latest) throw new SchemaVersionError(path, current, latest);

    const applied: number[] = [];
    for (const migration of migrations.slice(current)) {
      db.run(migration.sql);
      applied.push(migration.version);
    }
    // PRAGMA takes no bound parameters, and `latest` is an integer computed above.
    if (applied.length > 0) db.run(`PRAGMA user_version = ${latest}`);
    return applied;
  });
}

/** Reads the schema version stored in the file header, which is 0 for a new file. */
export function readSchemaVersion(db: Database): number {
  const row = db.query<{ user_version: number }, []>('PRAGMA user_version').get();
  return row?.user_version ?? 0;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`SQLite migration at position ${index} has version ${migration.version}; expected ${index + 1}. Versions must run 1, 2, 3… without gaps.`);
    }
  });
}
