import { Database } from 'bun:sqlite';
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { Logger } from '../../src/log/logger.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { Sweeper } from '../../src/store/sqlite/sweeper.ts';
import { makeChallenge } from './contract.ts';
import { makeTempDatabaseDir, type TempDatabaseDir } from './sqlite-temp.ts';

const roomy = { maxPendingTotal: 1000, maxPendingPerClient: 10 };

function countRows(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  const row = db.query<{ n: number }, []>(sql).get();
  db.close();
  return row?.n ?? -1;
}

describe('SqliteStore', () => {
  let dir: TempDatabaseDir;
  const open: SqliteStore[] = [];
  const openStore = (options: Partial<Parameters<typeof openSqliteStore>[1]> = {}) => {
    const store = openSqliteStore(dir.file(), { retentionSeconds: 60, eventRetentionSeconds: 3600, ...options });
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = makeTempDatabaseDir();
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    dir.remove();
  });

  test('countPending matches rows', async () => {
    const store = openStore({ sweepIntervalMs: 3_600_000 });
    const challenges = [makeChallenge(), makeChallenge(), makeChallenge(), makeChallenge({ expiresAt: Date.now() - 1 })];
    for (const challenge of challenges) await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge('tenant-a', challenges[0]!.id, Date.now());
    await store.recordAttempt(challenges[1]!.id, 'right', Date.now());
    await store.expireDue(Date.now());

    expect(await store.countPending()).toBe(1);
    expect(countRows(dir.file(), "SELECT count(*) AS n FROM challenges WHERE status = 'pending'")).toBe(1);
  });

  test('sweeper expires due challenges', async () => {
    const store = openStore({ sweepIntervalMs: 50 });
    const challenge = makeChallenge({ expiresAt: Date.now() + 30 });
    await store.createChallenge(challenge, roomy, Date.now());
    await Bun.sleep(250);

    const stored = await store.findChallenge('tenant-a', challenge.id);
    expect(stored?.status).toBe('expired');
    expect(stored?.completedAt).toBe(challenge.expiresAt);
    const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.expired']);
  });

  test('sweeper purges past retention', async () => {
    const store = openStore({ sweepIntervalMs: 50, retentionSeconds: 0.1, eventRetentionSeconds: 0.1 });
    const silent = makeChallenge({ webhookUrl: null });
    const hooked = makeChallenge();
    const live = makeChallenge();
    for (const challenge of [silent, hooked, live]) await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge('tenant-a', silent.id, Date.now());
    await store.cancelChallenge('tenant-a', hooked.id, Date.now());
    await store.claimIdempotencyKey('tenant-a', 'idem-1', 'fp', 0.05, Date.now());
    await store.hitRateLimit('rate-1', 5, 0.05, Date.now());
    await Bun.sleep(400);

    expect(await store.findChallenge('tenant-a', silent.id)).toBeNull();
    expect(await store.findChallenge('tenant-a', hooked.id)).toBeNull();
    expect((await store.findChallenge('tenant-a', live.id))?.status).toBe('pending');
    expect(await store.listEvents('tenant-a', { challengeId: silent.id, limit: 10 })).toEqual([]);
    const pending = await store.listEvents('tenant-a', { challengeId: hooked.id, limit: 10 });
    expect(pending.map((event) => event.status)).toEqual(['pending']);
    expect(countRows(dir.file(), 'SELECT count(*) AS n FROM idempotency_keys')).toBe(0);
    expect(countRows(dir.file(), 'SELECT count(*) AS n FROM rate_limits')).toBe(0);
  });

  test('return code index is unique', async () => {
    const store = openStore({ sweepIntervalMs: 3_600_000 });
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    const passed = await store.recordAttempt(challenge.id, 'right', Date.now());
    const code = passed.challenge?.returnCode ?? '';

    const db = new Database(dir.file(), { strict: true });
    const other = makeChallenge();
    await store.createChallenge(other, roomy, Date.now());
    expect(() => db.run('UPDATE challenges SET return_code = ? WHERE id = ?', [code, other.id])).toThrow('UNIQUE');
    db.close();
  });

  test('close stops the sweeper', async () => {
    const swept = openSqliteStore(dir.file(), { retentionSeconds: 60, eventRetentionSeconds: 3600, sweepIntervalMs: 20 });
    await swept.close();
    const idle = openStore({ sweepIntervalMs: 3_600_000 });
    const challenge = makeChallenge({ expiresAt: Date.now() + 20 });
    await idle.createChallenge(challenge, roomy, Date.now());
    await Bun.sleep(200);

    expect((await idle.findChallenge('tenant-a', challenge.id))?.status).toBe('pending');
  });

  test('ping fails after close', async () => {
    const store = openStore();
    await store.ping();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});

describe('Sweeper', () => {
  test('failure is logged once a minute', () => {
    const lines: string[] = [];
    const logger = new Logger({ level: 'debug', format: 'json', write: (line) => lines.push(line) });
    const none = () => 0;
    const sweeper = new Sweeper({
      intervalMs: 1000,
      retentionMs: 0,
      eventRetentionMs: 0,
      expireDue: () => {
        throw new Error('database is locked');
      },
      purgeBatch: { challenges: none, events: none, idempotencyKeys: none, rateLimits: none },
      logger,
    });
    sweeper.sweep(1_000_000);
    sweeper.sweep(1_001_000);
    sweeper.sweep(1_002_000);
    sweeper.sweep(1_061_000);

    expect(lines.length).toBe(2);
    expect(JSON.parse(lines[0]!).error).toBe('database is locked');
    expect(JSON.parse(lines[1]!).failures).toBe(3);
  });
});
