import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { RedisClient } from 'bun';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, revokeApiKey } from '../../src/security/api-keys.ts';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { ChallengeStore } from '../../src/store/store.ts';
import { csrfFrom, sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';

/**
 * The security controls that rest on the store (API keys, tenant scoping, rate-limit counters,
 * Idempotency-Key replies, atomic attempts), run against the durable stores. SQLite lives in a
 * temporary folder, and Redis keys use a prefix of their own, which is deleted afterwards.
 */
const retention = { retentionSeconds: 60, eventRetentionSeconds: 600 };

let folder: string;
let redisAdmin: RedisClient;
const redisPrefix = uniquePrefix();

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'askgate-security-'));
  redisAdmin = await connectLocalRedis();
});

afterAll(async () => {
  await deleteKeys(redisAdmin, redisPrefix);
  redisAdmin.close();
  rmSync(folder, { recursive: true, force: true });
});

const backends: [string, () => Promise<ChallengeStore>][] = [
  ['sqlite', async () => openSqliteStore(join(folder, 'askgate.db'), retention)],
  ['redis', async () => openRedisStore(localRedisUrl, { ...retention, prefix: redisPrefix })],
];

for (const [name, open] of backends) {
  describe(`security on ${name}`, () => {
    let askgate: Askgate;

    beforeAll(async () => {
      askgate = await startAskgate({ ASKGATE_CLIENT_FAILURES_MAX: '3', ASKGATE_CREATE_RATE_PER_MINUTE: '40' }, { store: await open() });
    });

    afterAll(async () => {
      await askgate.stop();
    });

    function withKey(key: string, method: string, path: string, body?: unknown): Promise<Response> {
      return fetch(askgate.apiUrl + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }

    test('other tenant gets 404', async () => {
      const owner = (await createApiKey(askgate.store, `owner-${name}`)).key;
      const intruder = (await createApiKey(askgate.store, `intruder-${name}`)).key;
      const created = await (await withKey(owner, 'POST', '/v1/challenges', sampleChallenge())).json();

      for (const [method, path, body] of [
        ['GET', `/v1/challenges/${created.id}`, undefined],
        ['DELETE', `/v1/challenges/${created.id}`, undefined],
        ['POST', `/v1/challenges/${created.id}/confirm`, { code: 'ABCDEFG' }],
      ] as const) {
        const response = await withKey(intruder, method, path, body);
        await response.text();
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      }
      expect((await (await withKey(owner, 'GET', `/v1/challenges/${created.id}`)).json()).status).toBe('pending');
    });

    test('revoked key gets 401', async () => {
      const { key, view } = await createApiKey(askgate.store, `revoked-${name}`);
      expect((await withKey(key, 'POST', '/v1/challenges', sampleChallenge())).status).toBe(201);
      await revokeApiKey(askgate.store, view.id);
      expect((await withKey(key, 'POST', '/v1/challenges', sampleChallenge())).status).toBe(401);
    });

    test('client lock holds and resets', async () => {
      const challenge = await askgate.createChallenge(sampleChallenge({ client_id: `cust-lock-${name}`, max_attempts: 10 }));
      for (const answer of ['wrong 1', 'wrong 2', 'wrong 3']) await (await submitAnswer(challenge.url, { answer })).text();
      const locked = await submitAnswer(challenge.url, { answer: '1990-04-12' });
      await locked.text();
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

      const other = await askgate.createChallenge(sampleChallenge({ client_id: `cust-free-${name}` }));
      await (await submitAnswer(other.url, { answer: 'wrong' })).text();
      expect((await submitAnswer(other.url, { answer: '1990-04-12' })).status).toBe(200);
      const next = await askgate.createChallenge(sampleChallenge({ client_id: `cust-free-${name}`, max_attempts: 10 }));
      for (const answer of ['wrong 2', 'wrong 3', 'wrong 4']) {
        const response = await submitAnswer(next.url, { answer });
        await response.text();
        expect({ answer, status: response.status }).toEqual({ answer, status: 200 });
      }
    });

    test('creation limit per key', async () => {
      const { key } = await createApiKey(askgate.store, `burst-${name}`);
      const statuses: number[] = [];
      for (let index = 0; index < 42; index++) {
        const response = await withKey(key, 'POST', '/v1/challenges', sampleChallenge());
        await response.text();
        statuses.push(response.status);
      }
      expect(statuses.filter((status) => status === 201)).toHaveLength(40);
      expect(statuses.slice(40)).toEqual([429, 429]);
    });

    test('sealed idempotent replay', async () => {
      const body = sampleChallenge();
      const first = await (await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': `sealed-${name}` } })).json();
      const replay = await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': `sealed-${name}` } });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await replay.json()).url).toBe(first.url);
    });

    test('50 racers, one success', async () => {
      const created = await askgate.createChallenge(sampleChallenge({ client_id: `cust-race-${name}` }));
      const csrf = csrfFrom(await (await fetch(created.url)).text());
      const body = new URLSearchParams({ csrf, answer: '1990-04-12' }).toString();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => fetch(created.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })),
      );
      const pages = await Promise.all(responses.map((response) => response.text()));

      expect(pages.filter((html) => html.includes('id="return-link"'))).toHaveLength(1);
      const events = await askgate.store.listEvents('default', { challengeId: created.id, limit: 100 });
      expect(events.filter((event) => event.type === 'challenge.passed')).toHaveLength(1);
    });
  });
}
