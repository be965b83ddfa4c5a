import type { RedisClient } from 'bun';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import type { EventRecord } from '../../src/events/event.ts';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import type { RedisStore } from '../../src/store/redis/redis-store.ts';
import type { CreateLimits } from '../../src/store/store.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';
import { makeChallenge } from './contract.ts';

// Two stores with their own connections and one key prefix stand for two askgate processes.
const roomy: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };

describe('redis store shared by two instances', () => {
  let admin: RedisClient;
  let prefix: string;
  let first: RedisStore;
  let second: RedisStore;

  beforeAll(async () => {
    admin = await connectLocalRedis();
  });
  beforeEach(async () => {
    prefix = uniquePrefix();
    // The pollers are off, so that only the calls made by a test expire challenges.
    const options = { retentionSeconds: 60, eventRetentionSeconds: 3600, prefix, expiryIntervalMs: 0 };
    first = await openRedisStore(localRedisUrl, options);
    second = await openRedisStore(localRedisUrl, options);
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    await deleteKeys(admin, prefix);
  });
  afterAll(() => {
    admin.close();
  });

  test('wrong attempts across instances count three', async () => {
    const challenge = makeChallenge({ maxAttempts: 3 });
    await first.createChallenge(challenge, roomy, Date.now());

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : second).recordAttempt(challenge.id, 'wrong', Date.now())),
    );

    expect(results.filter((result) => result.recorded).length).toBe(3);
    const stored = await second.findChallenge('tenant-a', challenge.id);
    expect(stored?.attempts).toBe(3);
    expect(stored?.status).toBe('failed');
    const events = await first.listEvents('tenant-a', { limit: 100 });
    expect(events.map((event) => event.type)).toEqual(['challenge.failed']);
  });

  test('right answers across instances pass once', async () => {
    const challenge = makeChallenge();
    await first.createChallenge(challenge, roomy, Date.now());

    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? first : second).recordAttempt(challenge.id, 'right', Date.now())),
    );

    const recorded = results.filter((result) => result.recorded);
    expect(recorded.length).toBe(1);
    const codes = new Set(results.map((result) => result.challenge?.returnCode));
    expect(codes.size).toBe(1);
    const events = await second.listEvents('tenant-a', { limit: 100 });
    expect(events.map((event) => event.type)).toEqual(['challenge.passed']);
  });

  test('concurrent expireDue expires each once', async () => {
    const count = 30;
    const challenges = Array.from({ length: count }, () => makeChallenge({ expiresAt: Date.now() + 30 }));
    for (const challenge of challenges) await first.createChallenge(challenge, roomy, Date.now());
    await Bun.sleep(60);

    const now = Date.now();
    const expiredCounts = await Promise.all([
      first.expireDue(now),
      second.expireDue(now),
      first.expireDue(now),
      second.expireDue(now),
    ]);

    expect(expiredCounts.reduce((sum, expired) => sum + expired, 0)).toBe(count);
    expect(await first.countPending()).toBe(0);
    const events = await first.listEvents('tenant-a', { limit: 1000 });
    expect(events.length).toBe(count);
    expect(events.every((event) => event.type === 'challenge.expired')).toBe(true);
    expect(new Set(events.map((event) => event.challengeId)).size).toBe(count);
  });

  test('concurrent leases never share an event', async () => {
    const count = 40;
    for (let i = 0; i < count; i++) {
      const challenge = makeChallenge();
      await first.createChallenge(challenge, roomy, Date.now());
      await first.cancelChallenge('tenant-a', challenge.id, Date.now());
    }

    const leased: EventRecord[] = [];
    const now = Date.now() + 1000;
    const leaseUntilEmpty = async (store: RedisStore) => {
      for (;;) {
        const batch = await store.leaseDueEvents(now, 3, 60_000);
        if (batch.length === 0) return;
        leased.push(...batch);
      }
    };
    await Promise.all([leaseUntilEmpty(first), leaseUntilEmpty(second), leaseUntilEmpty(first), leaseUntilEmpty(second)]);

    const ids = leased.map((event) => event.id);
    expect(ids.length).toBe(count);
    expect(new Set(ids).size).toBe(count);
    expect(leased.every((event) => event.leaseUntil === now + 60_000)).toBe(true);
  });

  test('concurrent creates keep one per client', async () => {
    const clientId = 'client-shared';
    const limits: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 1 };
    const challenges = Array.from({ length: 20 }, () => makeChallenge({ clientId }));

    await Promise.all(challenges.map((challenge, i) => (i % 2 === 0 ? first : second).createChallenge(challenge, limits, Date.now())));

    expect(await first.countPending()).toBe(1);
    const stored = await Promise.all(challenges.map((challenge) => second.findChallenge('tenant-a', challenge.id)));
    expect(stored.filter((challenge) => challenge?.status === 'pending').length).toBe(1);
    expect(stored.filter((challenge) => challenge?.status === 'canceled').length).toBe(19);
    const events = await first.listEvents('tenant-a', { limit: 100 });
    expect(events.length).toBe(19);
  });
});
