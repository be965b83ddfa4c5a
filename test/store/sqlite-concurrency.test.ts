import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { makeChallenge } from './contract.ts';
import { makeTempDatabaseDir, type TempDatabaseDir } from './sqlite-temp.ts';

const options = { retentionSeconds: 3600, eventRetentionSeconds: 3600, sweepIntervalMs: 3_600_000 };
const roomy = { maxPendingTotal: 1_000_000, maxPendingPerClient: 10_000 };
const racerScript = join(import.meta.dir, 'fixtures', 'sqlite-racer.ts');

/** Runs the racer fixture in `count` child processes started together; returns each one's JSON result. */
async function race<T>(count: number, args: string[]): Promise<T[]> {
  // Leave time for each child to start Bun and open the store before the common start.
  const startAt = String(Date.now() + 1500);
  const children = Array.from({ length: count }, () => {
    const [task = '', path = '', ...rest] = args;
    return Bun.spawn(['bun', racerScript, task, path, startAt, ...rest], { stdout: 'pipe', stderr: 'pipe' });
  });
  const timeout = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 15_000);
  try {
    return await Promise.all(children.map(async (child) => {
      const [output, errors, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      if (exitCode !== 0) throw new Error(`racer exited with ${exitCode}: ${errors}`);
      return JSON.parse(output) as T;
    }));
  } finally {
    clearTimeout(timeout);
  }
}

/** Creates `count` challenges and cancels them, leaving one pending event each. */
async function makePendingEvents(store: SqliteStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge('tenant-a', challenge.id, Date.now());
  }
}

describe('sqlite concurrency', () => {
  let dir: TempDatabaseDir;
  let first: SqliteStore;
  let second: SqliteStore;

  beforeEach(() => {
    dir = makeTempDatabaseDir();
    first = openSqliteStore(dir.file(), options);
    second = openSqliteStore(dir.file(), options);
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    dir.remove();
  });

  test('two stores count max attempts', async () => {
    const challenge = makeChallenge({ maxAttempts: 3 });
    await first.createChallenge(challenge, roomy, Date.now());
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : second).recordAttempt(challenge.id, 'wrong', Date.now())),
    );

    expect(results.filter((result) => result.recorded).length).toBe(3);
    const stored = await second.findChallenge('tenant-a', challenge.id);
    expect(stored?.attempts).toBe(3);
    expect(stored?.status).toBe('failed');
    const events = await first.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.failed']);
  });

  test('two stores expire once', async () => {
    const challenge = makeChallenge({ expiresAt: Date.now() + 20 });
    await first.createChallenge(challenge, roomy, Date.now());
    await Bun.sleep(40);
    const expired = await Promise.all([first.expireDue(Date.now()), second.expireDue(Date.now()), first.expireDue(Date.now())]);

    expect(expired.reduce((sum, count) => sum + count, 0)).toBe(1);
    const events = await second.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.expired']);
  });

  test('two stores lease disjoint events', async () => {
    await makePendingEvents(first, 30);
    const now = Date.now() + 1000;
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second).leaseDueEvents(now, 2, 60_000)),
    );
    const ids = batches.flat().map((event) => event.id);

    expect(ids.length).toBe(30);
    expect(new Set(ids).size).toBe(30);
  });

  test('two processes count max attempts', async () => {
    const challenge = makeChallenge({ maxAttempts: 3 });
    await first.createChallenge(challenge, roomy, Date.now());
    const results = await race<{ recorded: number }>(2, ['attempts', dir.file(), challenge.id, '25']);

    expect(results.reduce((sum, result) => sum + result.recorded, 0)).toBe(3);
    const stored = await first.findChallenge('tenant-a', challenge.id);
    expect(stored?.attempts).toBe(3);
    expect(stored?.status).toBe('failed');
    const events = await first.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.failed']);
  }, 20_000);

  test('two processes expire once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const challenge = makeChallenge({ expiresAt: Date.now() + 500 });
      ids.push(challenge.id);
      await first.createChallenge(challenge, roomy, Date.now());
    }
    const results = await race<{ expired: number }>(2, ['expire', dir.file()]);

    expect(results.reduce((sum, result) => sum + result.expired, 0)).toBe(1200);
    const events = await first.listEvents('tenant-a', { status: 'pending', limit: 10_000 });
    expect(events.length).toBe(1200);
    expect(new Set(events.map((event) => event.challengeId)).size).toBe(1200);
    expect(events.every((event) => event.type === 'challenge.expired')).toBe(true);
  }, 20_000);

  test('two processes lease disjoint events', async () => {
    await makePendingEvents(first, 200);
    const results = await race<{ leased: string[] }>(2, ['lease', dir.file()]);
    const ids = results.flatMap((result) => result.leased);

    expect(ids.length).toBe(200);
    expect(new Set(ids).size).toBe(200);
    // Both racers leased some, so the leases did overlap in time.
    expect(results.every((result) => result.leased.length > 0)).toBe(true);
  }, 20_000);
});
