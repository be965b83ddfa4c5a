import type { RedisClient } from 'bun';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import type { Challenge } from '../../src/challenge/challenge.ts';
import { buildChallengeEvent } from '../../src/events/event.ts';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import type { RedisStore } from '../../src/store/redis/redis-store.ts';
import type { CreateLimits } from '../../src/store/store.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';
import { makeChallenge } from './contract.ts';

// The Lua scripts build event bodies themselves; these tests hold them to buildChallengeEvent.
const roomy: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };

/** Values whose JSON needs escaping or careful number formatting. */
function awkwardChallenge(overrides: Partial<Challenge> = {}): Challenge {
  return makeChallenge({
    clientId: 'cli "quoted" \\ back/slash ñ 🙂 \u2028',
    metadata: {
      'key "with" quotes': 'line\nbreak\ttab',
      html: '</script><b>&amp;',
      emoji: '🙂 ✓',
      control: '\u0000\u001f\u007f',
      separators: '\u2028\u2029',
      fraction: 1.5,
      large: 12_345_678_901_234,
      negative: -7,
      flag: true,
      nothing: null,
    },
    ...overrides,
  });
}

describe('redis event body', () => {
  let admin: RedisClient;
  let store: RedisStore;
  let prefix: string;

  beforeAll(async () => {
    admin = await connectLocalRedis();
  });
  beforeEach(async () => {
    prefix = uniquePrefix();
    store = await openRedisStore(localRedisUrl, { retentionSeconds: 60, eventRetentionSeconds: 3600, prefix, expiryIntervalMs: 0 });
  });
  afterEach(async () => {
    await store.close();
    await deleteKeys(admin, prefix);
  });
  afterAll(() => {
    admin.close();
  });

  /** Reads the one event of a finished challenge and the event that buildChallengeEvent makes for it. */
  async function storedAndExpected(challenge: Challenge) {
    const finished = await store.findChallenge(challenge.tenantId, challenge.id);
    const [stored] = await store.listEvents(challenge.tenantId, { challengeId: challenge.id, limit: 10 });
    if (finished === null || stored === undefined) throw new Error(`challenge ${challenge.id} has no stored event`);
    return { stored, expected: buildChallengeEvent(finished, stored.createdAt, stored.id) };
  }

  test('passed matches buildChallengeEvent', async () => {
    const challenge = awkwardChallenge();
    await store.createChallenge(challenge, roomy, Date.now());
    await store.recordAttempt(challenge.id, 'wrong', Date.now());
    await store.recordAttempt(challenge.id, 'right', Date.now());
    const { stored, expected } = await storedAndExpected(challenge);
    expect(stored.body).toBe(expected.body);
    expect(stored).toEqual(expected);
    expect(JSON.parse(stored.body).data.return_code).toMatch(/^[A-HJ-NP-Z2-9]{7}$/);
  });

  test('failed matches buildChallengeEvent', async () => {
    const challenge = awkwardChallenge({ maxAttempts: 2 });
    await store.createChallenge(challenge, roomy, Date.now());
    await store.recordAttempt(challenge.id, 'wrong', Date.now());
    await store.recordAttempt(challenge.id, 'wrong', Date.now());
    const { stored, expected } = await storedAndExpected(challenge);
    expect(stored.body).toBe(expected.body);
    expect(stored).toEqual(expected);
  });

  test('canceled matches buildChallengeEvent', async () => {
    const challenge = awkwardChallenge({ webhookUrl: null });
    await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge(challenge.tenantId, challenge.id, Date.now());
    const { stored, expected } = await storedAndExpected(challenge);
    expect(stored.body).toBe(expected.body);
    expect(stored).toEqual(expected);
    expect(stored.status).toBe('no_endpoint');
  });

  test('replaced matches buildChallengeEvent', async () => {
    const first = awkwardChallenge();
    const second = awkwardChallenge({ clientId: first.clientId });
    await store.createChallenge(first, roomy, Date.now());
    await store.createChallenge(second, { ...roomy, maxPendingPerClient: 1 }, Date.now());
    const { stored, expected } = await storedAndExpected(first);
    expect(stored.type).toBe('challenge.canceled');
    expect(stored.body).toBe(expected.body);
    expect(stored).toEqual(expected);
  });

  test('expired matches buildChallengeEvent', async () => {
    const challenge = awkwardChallenge({ expiresAt: Date.now() + 20 });
    await store.createChallenge(challenge, roomy, Date.now());
    await Bun.sleep(40);
    expect(await store.expireDue(Date.now())).toBe(1);
    const { stored, expected } = await storedAndExpected(challenge);
    expect(stored.body).toBe(expected.body);
    expect(stored).toEqual(expected);
    expect(JSON.parse(stored.body).data.completed_at).toBe(new Date(challenge.expiresAt).toISOString());
  });

  test('empty metadata matches buildChallengeEvent', async () => {
    const challenge = makeChallenge({ metadata: {} });
    await store.createChallenge(challenge, roomy, Date.now());
    await store.cancelChallenge(challenge.tenantId, challenge.id, Date.now());
    const { stored, expected } = await storedAndExpected(challenge);
    expect(stored.body).toBe(expected.body);
    expect(JSON.parse(stored.body).data.metadata).toEqual({});
  });
});
