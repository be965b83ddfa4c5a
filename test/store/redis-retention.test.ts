import type { RedisClient } from 'bun';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { RedisKeys } from '../../src/store/redis/keys.ts';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import type { RedisStore } from '../../src/store/redis/redis-store.ts';
import type { CreateLimits } from '../../src/store/store.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';
import { makeChallenge } from './contract.ts';

const roomy: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };

describe('redis store retention', () => {
  let admin: RedisClient;
  let store: RedisStore;
  let keys: RedisKeys;

  beforeAll(async () => {
    admin = await connectLocalRedis();
  });
  afterEach(async () => {
    await store.close();
    await deleteKeys(admin, keys.prefix);
  });
  afterAll(() => {
    admin.close();
  });

  async function open(retentionSeconds: number, eventRetentionSeconds: number, expiryIntervalMs = 0): Promise<void> {
    keys = new RedisKeys(uniquePrefix());
    store = await openRedisStore(localRedisUrl, { retentionSeconds, eventRetentionSeconds, prefix: keys.prefix, expiryIntervalMs });
  }

  const ttlMs = async (key: string) => Number(await admin.send('PTTL', [key]));

  test('pending challenge has no TTL', async () => {
    await open(60, 3600);
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    expect(await ttlMs(keys.challenge(challenge.id))).toBe(-1);
    expect(await ttlMs(keys.token(challenge.tokenHash))).toBe(-1);
  });

  test('poller expires due challenges', async () => {
    await open(60, 3600, 100);
    const challenge = makeChallenge({ expiresAt: Date.now() + 50 });
    await store.createChallenge(challenge, roomy, Date.now());

    await Bun.sleep(300);

    expect((await store.findChallenge('tenant-a', challenge.id))?.status).toBe('expired');
    expect(await store.countPending()).toBe(0);
    const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.expired']);
  });

  test('finished challenge keys get retention TTL', async () => {
    await open(60, 3600);
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    const passed = await store.recordAttempt(challenge.id, 'right', Date.now());
    const code = passed.challenge?.returnCode ?? '';

    for (const key of [keys.challenge(challenge.id), keys.token(challenge.tokenHash), keys.returnCode(code)]) {
      const ttl = await ttlMs(key);
      expect(ttl).toBeGreaterThan(58_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  test('finished challenge vanishes after retention', async () => {
    await open(1, 3600);
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    const passed = await store.recordAttempt(challenge.id, 'right', Date.now());
    expect(await store.findChallenge('tenant-a', challenge.id)).not.toBeNull();

    await Bun.sleep(1100);

    expect(await store.findChallenge('tenant-a', challenge.id)).toBeNull();
    expect(await store.findChallengeByToken(challenge.tokenHash)).toBeNull();
    expect(Number(await admin.send('EXISTS', [keys.returnCode(passed.challenge?.returnCode ?? '')]))).toBe(0);
    // The event outlives the challenge and is still found by challenge id.
    expect((await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 })).length).toBe(1);
  });

  test('event without endpoint vanishes after retention', async () => {
    await open(60, 1);
    const challenge = makeChallenge({ webhookUrl: null });
    await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge('tenant-a', challenge.id, Date.now());
    const [event] = await store.listEvents('tenant-a', { limit: 10 });
    expect(event?.status).toBe('no_endpoint');

    await Bun.sleep(1100);

    expect(await store.findEvent('tenant-a', event?.id ?? '')).toBeNull();
    expect(await store.listEvents('tenant-a', { limit: 10 })).toEqual([]);
    expect(await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 })).toEqual([]);
    // Listing dropped the stale index entry.
    expect(Number(await admin.send('ZCARD', [keys.tenantEvents('tenant-a')]))).toBe(0);
  });

  test('pending event outlives retention until delivered', async () => {
    await open(60, 1);
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge('tenant-a', challenge.id, Date.now());
    const [event] = await store.listEvents('tenant-a', { limit: 10 });
    const eventId = event?.id ?? '';
    expect(await ttlMs(keys.event(eventId))).toBe(-1);

    await Bun.sleep(1100);

    expect((await store.findEvent('tenant-a', eventId))?.status).toBe('pending');
    const [leased] = await store.leaseDueEvents(Date.now(), 10, 30_000);
    expect(leased?.id).toBe(eventId);
    await store.recordDelivery(eventId, { at: Date.now(), status: 204, error: null, durationMs: 5 }, { status: 'delivered' });
    // Delivered after its retention ended, the event is kept for one more retention period.
    const ttl = await ttlMs(keys.event(eventId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    const linkTtl = await ttlMs(keys.challengeEvent(challenge.id));
    expect(linkTtl).toBeGreaterThan(0);
    expect(linkTtl).toBeLessThanOrEqual(1000);
  });

  test('redelivery removes the TTL again', async () => {
    await open(60, 3600);
    const challenge = makeChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge('tenant-a', challenge.id, Date.now());
    const [event] = await store.leaseDueEvents(Date.now() + 10, 10, 30_000);
    const eventId = event?.id ?? '';
    await store.recordDelivery(eventId, { at: Date.now(), status: 410, error: 'status 410', durationMs: 5 }, { status: 'dead' });
    expect(await ttlMs(keys.event(eventId))).toBeGreaterThan(3_500_000);

    const redelivered = await store.redeliverEvent('tenant-a', eventId, Date.now());

    expect(redelivered?.status).toBe('pending');
    expect(await ttlMs(keys.event(eventId))).toBe(-1);
    expect(await ttlMs(keys.challengeEvent(challenge.id))).toBe(-1);
  });

  test('idempotency and rate keys expire', async () => {
    await open(60, 3600);
    await store.claimIdempotencyKey('tenant-a', 'key-1', 'fp', 30, Date.now());
    await store.hitRateLimit('ip:127.0.0.1', 5, 10, Date.now());
    const idempotencyTtl = await ttlMs(keys.idempotency('tenant-a', 'key-1'));
    const rateTtl = await ttlMs(keys.rateLimit('ip:127.0.0.1'));
    expect(idempotencyTtl).toBeGreaterThan(28_000);
    expect(idempotencyTtl).toBeLessThanOrEqual(30_000);
    expect(rateTtl).toBeGreaterThan(8_000);
    expect(rateTtl).toBeLessThanOrEqual(10_000);
  });
});
