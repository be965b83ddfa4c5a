import type { RedisClient } from 'bun';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';

// Fifty customers (or one attacker) submit the same page at once, over real HTTP, against each
// store. Attempts must be counted atomically and the terminal change must happen once.
const concurrentSubmissions = 50;
const rightAnswer = '1990-04-12';
const wrongAnswer = '2001-01-01';

interface StoreUnderTest {
  name: string;
  /** Prepares the store and returns the ASKGATE_* variables that select it. */
  setUp: () => Promise<Record<string, string>>;
  /** Removes every file or key the run left behind. */
  cleanUp: () => Promise<void>;
}

function memoryStore(): StoreUnderTest {
  return { name: 'memory', setUp: async () => ({ ASKGATE_STORE: 'memory' }), cleanUp: async () => {} };
}

function sqliteStore(): StoreUnderTest {
  let dir = '';
  return {
    name: 'sqlite',
    setUp: async () => {
      dir = mkdtempSync(join(tmpdir(), 'askgate-concurrency-'));
      return { ASKGATE_STORE: `sqlite:${join(dir, 'askgate.db')}` };
    },
    cleanUp: async () => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    },
  };
}

function redisStore(): StoreUnderTest {
  const prefix = uniquePrefix();
  let admin: RedisClient | null = null;
  return {
    name: 'redis',
    setUp: async () => {
      admin = await connectLocalRedis();
      return { ASKGATE_STORE: localRedisUrl, ASKGATE_REDIS_PREFIX: prefix };
    },
    cleanUp: async () => {
      if (admin === null) return;
      const deleted = await deleteKeys(admin, prefix);
      admin.close();
      // No key under the prefix means askgate wrote elsewhere, in keys other tests may read.
      if (deleted === 0) throw new Error(`askgate left no keys under ${prefix}: ASKGATE_REDIS_PREFIX was not applied`);
    },
  };
}

/** Posts `answer` to a page with a CSRF token read earlier from the same page. */
function postAnswer(pageUrl: string, csrf: string, answer: string): Promise<Response> {
  return fetch(pageUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, answer }).toString(),
  });
}

/** Reads the page once for its CSRF token, then sends every submission at the same time. */
async function submitConcurrently(pageUrl: string, answer: string): Promise<{ status: number; html: string }[]> {
  const page = await fetch(pageUrl);
  const csrf = csrfFrom(await page.text());
  const responses = await Promise.all(Array.from({ length: concurrentSubmissions }, () => postAnswer(pageUrl, csrf, answer)));
  return Promise.all(responses.map(async (response) => ({ status: response.status, html: await response.text() })));
}

function countStatus(results: { status: number }[], status: number): number {
  return results.filter((result) => result.status === status).length;
}

for (const store of [memoryStore(), sqliteStore(), redisStore()]) {
  describe(`${store.name} store over HTTP`, () => {
    let askgate: Askgate;

    beforeAll(async () => {
      // Every submission counts against the client's failure limit before it is checked. Raising
      // that limit lets all 50 reach the store, so that the store alone must keep attempts exact.
      askgate = await startAskgate({ ...(await store.setUp()), ASKGATE_CLIENT_FAILURES_MAX: '100' });
    });

    afterAll(async () => {
      await askgate?.stop({ graceMs: 1000 });
      await store.cleanUp();
    });

    async function eventTypesOf(challengeId: string): Promise<string[]> {
      const response = await askgate.api(`/v1/events?challenge_id=${challengeId}`);
      expect(response.status).toBe(200);
      const { data } = (await response.json()) as { data: { type: string }[] };
      return data.map((event) => event.type);
    }

    test('concurrent wrong answers count three', async () => {
      const created = await askgate.createChallenge(sampleChallenge({ answer: rightAnswer, max_attempts: 3 }));

      const results = await submitConcurrently(created.url, wrongAnswer);

      // Two "wrong, try again" forms and one locked page. Every later submission finds the challenge ended.
      expect(countStatus(results, 200)).toBe(3);
      expect(countStatus(results, 410)).toBe(concurrentSubmissions - 3);
      expect(results.filter((result) => result.html.includes('Too many attempts')).length).toBe(concurrentSubmissions - 2);
      const response = await askgate.api(`/v1/challenges/${created.id}`);
      const challenge = (await response.json()) as { attempts: number; status: string };
      expect(challenge.attempts).toBe(3);
      expect(challenge.status).toBe('failed');
      expect(await eventTypesOf(created.id)).toEqual(['challenge.failed']);
    });

    test('concurrent right answers pass once', async () => {
      const created = await askgate.createChallenge(sampleChallenge({ answer: rightAnswer, max_attempts: 3 }));

      const results = await submitConcurrently(created.url, rightAnswer);

      const successPages = results.filter((result) => result.status === 200 && result.html.includes('id="return-link"'));
      expect(successPages.length).toBe(1);
      expect(countStatus(results, 410)).toBe(concurrentSubmissions - 1);
      expect(results.filter((result) => result.html.includes('This link was already used')).length).toBe(concurrentSubmissions - 1);
      const response = await askgate.api(`/v1/challenges/${created.id}`);
      const challenge = (await response.json()) as { attempts: number; status: string; return_code?: string };
      expect(challenge.status).toBe('passed');
      expect(challenge.attempts).toBe(1);
      expect(successPages[0]?.html).toContain(encodeURIComponent(challenge.return_code ?? 'missing return code'));
      expect(await eventTypesOf(created.id)).toEqual(['challenge.passed']);
    });
  });
}
