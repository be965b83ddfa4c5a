import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Logger } from '../../src/log/logger.ts';
import { StoreUnavailableError } from '../../src/store/store-errors.ts';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import type { RedisStore } from '../../src/store/redis/redis-store.ts';
import type { CreateLimits } from '../../src/store/store.ts';
import { freePort, OwnRedisServer } from '../support/redis.ts';
import { makeChallenge } from './contract.ts';

// These tests start and kill their own redis-server, so the shared Redis is never disturbed.
const password = 'outage-test-pw';
const roomy: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };
const retention = { retentionSeconds: 60, eventRetentionSeconds: 3600 };

/** Runs `call` and returns the error it rejected with and how long that took. */
async function rejection(call: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, elapsedMs: performance.now() - started };
  }
  throw new Error('the call resolved, but it should have rejected');
}

async function waitUntilReachable(store: RedisStore, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reachable = await store.ping().then(() => true, () => false);
    if (reachable) return true;
    await Bun.sleep(100);
  }
  return false;
}

describe('redis store outage', () => {
  const server = new OwnRedisServer(freePort(), ['--requirepass', password]);
  const url = `redis://:${password}@127.0.0.1:${server.port}/0`;
  const logLines: string[] = [];
  const logger = new Logger({ level: 'debug', format: 'json', write: (line) => logLines.push(line) });
  let store: RedisStore;

  beforeAll(async () => {
    await server.start();
    store = await openRedisStore(url, { ...retention, logger });
  });
  afterAll(async () => {
    await store?.close();
    await server.stop();
  });

  test('calls reject fast while down', async () => {
    const before = makeChallenge();
    expect((await store.createChallenge(before, roomy, Date.now())).created).toBe(true);

    await server.stop();

    const calls: [string, () => Promise<unknown>][] = [
      ['ping', () => store.ping()],
      ['createChallenge', () => store.createChallenge(makeChallenge(), roomy, Date.now())],
      ['findChallenge', () => store.findChallenge('tenant-a', before.id)],
      ['findChallengeByToken', () => store.findChallengeByToken(before.tokenHash)],
      ['recordAttempt', () => store.recordAttempt(before.id, 'wrong', Date.now())],
      ['cancelChallenge', () => store.cancelChallenge('tenant-a', before.id, Date.now())],
      ['expireDue', () => store.expireDue(Date.now())],
      ['countPending', () => store.countPending()],
      ['hitRateLimit', () => store.hitRateLimit('ip:127.0.0.1', 10, 60, Date.now())],
      ['claimIdempotencyKey', () => store.claimIdempotencyKey('tenant-a', 'key-1', 'fp', 60, Date.now())],
      ['listEvents', () => store.listEvents('tenant-a', { limit: 10 })],
      ['leaseDueEvents', () => store.leaseDueEvents(Date.now(), 10, 30_000)],
    ];
    for (const [name, call] of calls) {
      const { error, elapsedMs } = await rejection(call);
      expect({ name, unavailable: error instanceof StoreUnavailableError }).toEqual({ name, unavailable: true });
      expect({ name, fast: elapsedMs < 2000 }).toEqual({ name, fast: true });
    }

    const concurrent = await Promise.all(calls.map(([, call]) => rejection(call)));
    expect(concurrent.every(({ error }) => error instanceof StoreUnavailableError)).toBe(true);
    expect(Math.max(...concurrent.map(({ elapsedMs }) => elapsedMs))).toBeLessThan(2000);
  });

  test('unavailable error has code and reason', async () => {
    const { error } = await rejection(() => store.ping());
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const unavailable = error as StoreUnavailableError;
    expect(unavailable.code).toBe('store_unavailable');
    expect(unavailable.status).toBe(503);
    expect(unavailable.reason).toContain(`127.0.0.1:${server.port}`);
    expect(unavailable.reason).not.toContain(password);
  });

  test('store works again after restart', async () => {
    await server.start();

    expect(await waitUntilReachable(store, 5000)).toBe(true);
    const after = makeChallenge();
    expect((await store.createChallenge(after, roomy, Date.now())).created).toBe(true);
    expect((await store.findChallenge('tenant-a', after.id))?.status).toBe('pending');
    expect((await store.recordAttempt(after.id, 'right', Date.now())).recorded).toBe(true);
    // Without persistence the restarted server lost the challenge made before the outage.
    expect(await store.countPending()).toBe(0);
  });

  test('stopped server times out then recovers', async () => {
    server.signal('SIGSTOP');
    try {
      const { error, elapsedMs } = await rejection(() => store.ping());
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(elapsedMs).toBeGreaterThanOrEqual(1400);
      expect(elapsedMs).toBeLessThan(2000);
    } finally {
      server.signal('SIGCONT');
    }

    expect(await waitUntilReachable(store, 3000)).toBe(true);
    expect((await store.createChallenge(makeChallenge(), roomy, Date.now())).created).toBe(true);
  });

  test('logs each outage once, without password', () => {
    const warnings = logLines.filter((line) => line.includes('Redis is unreachable'));
    const recoveries = logLines.filter((line) => line.includes('Redis is reachable again'));
    expect(warnings.length).toBe(2);
    expect(recoveries.length).toBe(2);
    expect(logLines.some((line) => line.includes(password))).toBe(false);
  });
});

describe('openRedisStore() failures', () => {
  test('rejects when nothing listens', async () => {
    const port = freePort();
    const started = performance.now();
    const { error } = await rejection(() => openRedisStore(`redis://:${password}@127.0.0.1:${port}/0`, retention));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((error as StoreUnavailableError).reason).toContain(`redis://:***@127.0.0.1:${port}/0`);
    expect((error as StoreUnavailableError).reason).not.toContain(password);
  });

  test('rejects a wrong password', async () => {
    const server = new OwnRedisServer(freePort(), ['--requirepass', password]);
    await server.start();
    try {
      const { error } = await rejection(() => openRedisStore(`redis://:wrong-${password}@127.0.0.1:${server.port}/0`, retention));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).reason).toContain('password');
      expect((error as StoreUnavailableError).reason).not.toContain(`wrong-${password}`);
    } finally {
      await server.stop();
    }
  });
});
