import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey } from '../../src/security/api-keys.ts';
import { sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

/**
 * Every API operation that addresses one resource by id, called with another tenant's key, must
 * return 404 exactly as for an id that does not exist, and must change nothing. The operations
 * come from the OpenAPI document, so a route added later fails here until it is listed below.
 */
const sampleBodies: Record<string, unknown> = {
  'POST /v1/challenges/{id}/confirm': { code: 'ABCDEFG' },
};

/** Names the resource that the `{id}` of a path refers to. */
const resourceOf = (path: string): 'challenge' | 'event' | null => {
  if (path.startsWith('/v1/challenges/{id}')) return 'challenge';
  if (path.startsWith('/v1/events/{id}')) return 'event';
  return null;
};

let askgate: Askgate;
let ownerKey: string;
let otherKey: string;
let passedId: string;
let pendingId: string;
let eventId: string;

function call(key: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(askgate.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  askgate = await startAskgate();
  ownerKey = (await createApiKey(askgate.store, 'owner')).key;
  otherKey = (await createApiKey(askgate.store, 'intruder')).key;

  const passed = await (await call(ownerKey, 'POST', '/v1/challenges', sampleChallenge())).json();
  await (await submitAnswer(passed.url, { answer: '1990-04-12' })).text();
  passedId = passed.id;
  pendingId = (await (await call(ownerKey, 'POST', '/v1/challenges', sampleChallenge())).json()).id;

  const events = await askgate.store.listEvents('owner', { challengeId: passedId, limit: 10 });
  eventId = events[0]?.id ?? '';
});

afterAll(async () => {
  await askgate.stop();
});

describe('tenant isolation', () => {
  test('setup has owner resources', () => {
    expect(passedId).toMatch(/^chl_/);
    expect(pendingId).toMatch(/^chl_/);
    expect(eventId).toMatch(/^evt_/);
  });

  test('every id route is in the matrix', async () => {
    const document = await (await fetch(askgate.apiUrl + '/openapi.json')).json();
    const unknown: string[] = [];
    for (const path of Object.keys(document.paths)) {
      if (path.includes('{') && resourceOf(path) === null) unknown.push(path);
    }
    expect(unknown).toEqual([]);
  });

  test('other tenant gets 404 everywhere', async () => {
    const document = await (await fetch(askgate.apiUrl + '/openapi.json')).json();
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      const resource = resourceOf(path);
      if (resource === null) continue;

      for (const method of Object.keys(operations).map((name) => name.toUpperCase())) {
        const ids = resource === 'challenge' ? [passedId, pendingId] : [eventId];
        for (const id of ids) {
          const body = sampleBodies[`${method} ${path}`];
          const response = await call(otherKey, method, path.replace('{id}', id), body);
          const problem = await response.json();
          expect({ route: `${method} ${path}`, id, status: response.status, code: problem.code }).toEqual({
            route: `${method} ${path}`,
            id,
            status: 404,
            code: 'not_found',
          });
          checked += 1;
        }
      }
    }
    // GET and DELETE of a challenge and its confirm route, each for two challenges; GET and
    // redeliver of an event.
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test('list routes hide owner ids', async () => {
    // Routes without an id (such as an event list) filter by tenant: asked for the owner's
    // challenge, they must return nothing of it to another tenant.
    const document = await (await fetch(askgate.apiUrl + '/openapi.json')).json();
    const lists = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([path, operations]) => path.startsWith('/v1/') && !path.includes('{') && 'get' in operations)
      .map(([path]) => path);
    for (const path of lists) {
      const response = await call(otherKey, 'GET', `${path}?challenge_id=${passedId}`);
      const text = await response.text();
      expect({ path, leaked: text.includes(passedId) || text.includes(eventId) }).toEqual({ path, leaked: false });
    }
    const own = await call(ownerKey, 'GET', `/v1/challenges/${passedId}`);
    expect(await own.text()).toContain(passedId);
  });

  test('404 matches unknown id', async () => {
    const foreign = await call(otherKey, 'GET', `/v1/challenges/${pendingId}`);
    const missing = await call(otherKey, 'GET', '/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA');
    const foreignProblem = await foreign.json();
    const missingProblem = await missing.json();
    expect(foreign.status).toBe(missing.status);
    expect(foreignProblem.detail).toBe(missingProblem.detail);
    expect(foreignProblem.title).toBe(missingProblem.title);
  });

  test('owner state unchanged', async () => {
    const pending = await (await call(ownerKey, 'GET', `/v1/challenges/${pendingId}`)).json();
    const passed = await (await call(ownerKey, 'GET', `/v1/challenges/${passedId}`)).json();
    expect(pending.status).toBe('pending');
    expect(passed.status).toBe('passed');
  });

  test('default tenant sees nothing', async () => {
    const response = await askgate.api(`/v1/challenges/${pendingId}`);
    expect(response.status).toBe(404);
    expect(await askgate.store.listEvents('default', { challengeId: passedId, limit: 10 })).toEqual([]);
  });
});
