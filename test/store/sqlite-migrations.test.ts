import { Database } from 'bun:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { openDatabase } from '../../src/store/sqlite/connection.ts';
import { migrateSchema, readSchemaVersion, SchemaVersionError } from '../../src/store/sqlite/migrate.ts';
import { migrations } from '../../src/store/sqlite/migrations.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { makeChallenge } from './contract.ts';
import { makeTempDatabaseDir, type TempDatabaseDir } from './sqlite-temp.ts';

const retention = { retentionSeconds: 60, eventRetentionSeconds: 3600 };
const roomy = { maxPendingTotal: 1000, maxPendingPerClient: 10 };

describe('migrateSchema()', () => {
  let dir: TempDatabaseDir;
  beforeEach(() => {
    dir = makeTempDatabaseDir();
  });
  afterEach(() => {
    dir.remove();
  });

  test('new file gets every migration', () => {
    const db = new Database(dir.file(), { create: true, strict: true });
    expect(migrateSchema(db, dir.file())).toEqual(migrations.map((migration) => migration.version));
    expect(readSchemaVersion(db)).toBe(migrations.length);
    db.close();
  });

  test('second open applies nothing', async () => {
    const store = openSqliteStore(dir.file(), retention);
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    await store.close();

    const db = new Database(dir.file(), { strict: true });
    expect(migrateSchema(db, dir.file())).toEqual([]);
    db.close();
    const reopened = openSqliteStore(dir.file(), retention);
    expect((await reopened.findChallenge(challenge.tenantId, challenge.id))?.id).toBe(challenge.id);
    expect(await reopened.countPending()).toBe(1);
    await reopened.close();
  });

  test('appended migration runs alone', () => {
    const db = openDatabase(dir.file());
    const next = { version: migrations.length + 1, description: 'add a test table', sql: 'CREATE TABLE later_table (id INTEGER PRIMARY KEY);' };
    expect(migrateSchema(db, dir.file(), [...migrations, next])).toEqual([next.version]);
    expect(readSchemaVersion(db)).toBe(next.version);
    expect(db.query("SELECT name FROM sqlite_schema WHERE name = 'later_table'").get()).toEqual({ name: 'later_table' });
    expect(migrateSchema(db, dir.file(), [...migrations, next])).toEqual([]);
    db.close();
  });

  test('failed migration leaves version unchanged', () => {
    const db = openDatabase(dir.file());
    const broken = { version: migrations.length + 1, description: 'broken', sql: 'CREATE TABLE half_done (id INTEGER); SELECT * FROM no_such_table;' };
    expect(() => migrateSchema(db, dir.file(), [...migrations, broken])).toThrow('no_such_table');
    expect(readSchemaVersion(db)).toBe(migrations.length);
    expect(db.query("SELECT name FROM sqlite_schema WHERE name = 'half_done'").get()).toBeNull();
    db.close();
  });

  test('future version fails clearly', () => {
    const db = openDatabase(dir.file());
    db.run(`PRAGMA user_version = ${migrations.length + 5}`);
    db.close();

    let caught: unknown = null;
    try {
      openSqliteStore(dir.file(), retention);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaVersionError);
    expect((caught as Error).message).toContain(`schema version ${migrations.length + 5}`);
    expect((caught as Error).message).toContain(`supports versions up to ${migrations.length}`);
    expect((caught as Error).message).toContain(dir.file());
  });

  test('gap in versions is rejected', () => {
    const db = new Database(':memory:', { strict: true });
    const gap = { version: migrations.length + 2, description: 'skips one', sql: 'SELECT 1;' };
    expect(() => migrateSchema(db, ':memory:', [...migrations, gap])).toThrow('without gaps');
    expect(readSchemaVersion(db)).toBe(0);
    db.close();
  });

  test('connection uses WAL and FULL sync', () => {
    const db = openDatabase(dir.file());
    expect(db.query('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.query('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    expect(db.query('PRAGMA busy_timeout').get()).toEqual({ timeout: 5000 });
    db.close();
  });
});
