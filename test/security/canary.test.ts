import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sha256 } from '../../src/security/digest.ts';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

/**
 * Secrets with recognisable values go through a full flow, invalid requests and failures, with
 * debug logging on. None may appear in any response body, response header or log line.
 */
const canaryAnswer = 'CANARY-ANSWER-5501';
const canaryWrongAnswer = 'CANARY-WRONG-7310';
const canaryApiKey = 'ak_CANARY_API_KEY_' + 'k'.repeat(30);
const canaryAdminKey = 'CANARY-ADMIN-KEY-' + 'a'.repeat(30);

let askgate: Askgate;
const seen: string[] = [];
const pageTokens: string[] = [];
let createdKey = '';

/** Records the status line, headers and body of a response. */
async function record(response: Response): Promise<string> {
  const body = await response.text();
  const headers: string[] = [];
  response.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
  seen.push(`${response.status}\n${headers.join('\n')}\n\n${body}`);
  return body;
}

function api(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(askgate.apiUrl + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${canaryApiKey}`, 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
}

beforeAll(async () => {
  askgate = await startAskgate({ ASKGATE_API_KEY: canaryApiKey, ASKGATE_ADMIN_KEY: canaryAdminKey, ASKGATE_LOG_LEVEL: 'debug' });

  // A full flow: create, open, wrong answer, right answer, read, replay.
  const body = JSON.stringify(sampleChallenge({ answer: canaryAnswer, max_attempts: 3 }));
  const created = JSON.parse(await record(await api('/v1/challenges', { body, headers: { 'idempotency-key': 'canary-1' } })));
  pageTokens.push(new URL(created.url).pathname.slice(3));
  await record(await api('/v1/challenges', { body, headers: { 'idempotency-key': 'canary-1' } }));

  const csrf = csrfFrom(await record(await fetch(created.url)));
  const post = (answer: string, headers: Record<string, string> = {}) =>
    fetch(created.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ csrf, answer }).toString(),
    });
  await record(await post(canaryWrongAnswer));
  await record(await post(`  ${canaryAnswer.toLowerCase()} `, { origin: 'https://evil.example' }));
  await record(await fetch(`${created.url}?answer=${canaryAnswer}`, { method: 'POST', body: new URLSearchParams({ csrf, answer: canaryAnswer }) }));
  await record(await post(canaryAnswer));
  await record(await post(canaryAnswer));
  await record(await api(`/v1/challenges/${created.id}`));
  await record(await api(`/v1/challenges/${created.id}`, { method: 'DELETE' }));
  await record(await api('/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA'));

  // Invalid bodies that carry the answer.
  const invalidBodies = [
    JSON.stringify(sampleChallenge({ answer: canaryAnswer, question: 'q'.repeat(501) })),
    JSON.stringify(sampleChallenge({ answer: canaryAnswer, expires_in: 'soon' })),
    JSON.stringify(sampleChallenge({ answer: canaryAnswer, unexpected: canaryAnswer })),
    JSON.stringify(sampleChallenge({ answer: { nested: canaryAnswer } })),
    JSON.stringify(sampleChallenge({ answer: canaryAnswer, metadata: { [canaryAnswer]: canaryAnswer.repeat(40) } })),
    JSON.stringify([canaryAnswer]),
    `{"client_id":"x","answer":"${canaryAnswer}",`,
    JSON.stringify(sampleChallenge({ answer: canaryAnswer, questions: [{ id: 'a', prompt: 'p', answer: canaryAnswer }] })),
  ];
  for (const invalid of invalidBodies) await record(await api('/v1/challenges', { body: invalid }));
  await record(await api('/v1/challenges', { body: JSON.stringify(sampleChallenge({ answer: canaryWrongAnswer })), headers: { 'idempotency-key': 'canary-1' } }));
  await record(await api('/v1/challenges', { body: 'x'.repeat(20000) + canaryAnswer }));

  // Failures around the keys.
  await record(await api('/v1/challenges', { body, headers: { authorization: `Bearer ${canaryApiKey}x` } }));
  await record(await api('/v1/challenges', { body, headers: { authorization: `Basic ${canaryApiKey}` } }));
  await record(await api('/v1/challenges', { body, headers: { authorization: `Bearer ${canaryAdminKey}` } }));
  await record(await api(`/v1/challenges?api_key=${canaryApiKey}`, { body, headers: { authorization: '' } }));
  await record(await api('/admin/v1/keys', { headers: { authorization: `Bearer ${canaryApiKey}` } }));
  await record(await api('/v1/challenges', { method: 'TRACE', headers: { 'x-api-key': canaryApiKey } }));

  const minted = JSON.parse(await record(await api('/admin/v1/keys', { body: JSON.stringify({ tenant: 'acme' }), headers: { authorization: `Bearer ${canaryAdminKey}` } })));
  createdKey = minted.key;
  await record(await api('/admin/v1/keys', { headers: { authorization: `Bearer ${canaryAdminKey}` } }));
  const second = JSON.parse(await record(await api('/v1/challenges', { body: JSON.stringify(sampleChallenge({ answer: canaryAnswer })), headers: { authorization: `Bearer ${createdKey}` } })));
  pageTokens.push(new URL(second.url).pathname.slice(3));
  await record(await api(`/admin/v1/keys/${minted.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${canaryAdminKey}` } }));
  await record(await api('/v1/challenges', { body, headers: { authorization: `Bearer ${createdKey}` } }));
});

afterAll(async () => {
  await askgate.stop();
});

describe('canary secrets', () => {
  test('flow ran through every branch', () => {
    const statuses = new Set(seen.map((entry) => Number(entry.slice(0, 3))));
    for (const status of [200, 201, 400, 401, 403, 404, 405, 410, 413, 422]) {
      expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
    }
    expect(createdKey).toMatch(/^ak_/);
    expect(askgate.logs.some((line) => line.includes('"level":"debug"'))).toBe(true);
  });

  // The created key is missing here on purpose: its 201 reply must show it once (tested below).
  const secrets: [string, () => string][] = [
    ['answer', () => canaryAnswer],
    ['lowercase answer', () => canaryAnswer.toLowerCase()],
    ['wrong answer', () => canaryWrongAnswer],
    ['API key', () => canaryApiKey],
    ['API key hash', () => sha256(canaryApiKey)],
    ['admin key', () => canaryAdminKey],
    ['created key hash', () => sha256(createdKey)],
  ];
  for (const [name, secret] of secrets) {
    test(`${name} not in responses`, () => {
      expect(seen.filter((entry) => entry.includes(secret()))).toEqual([]);
    });

    test(`${name} not in logs`, () => {
      expect(askgate.logs.filter((line) => line.includes(secret()))).toEqual([]);
    });
  }

  test('created key not in logs', () => {
    expect(askgate.logs.filter((line) => line.includes(createdKey))).toEqual([]);
  });

  test('created key only in its 201', () => {
    expect(seen.filter((entry) => entry.includes(createdKey)).map((entry) => entry.slice(0, 3))).toEqual(['201']);
  });

  test('page tokens not in logs', () => {
    expect(pageTokens).toHaveLength(2);
    for (const token of pageTokens) {
      expect(askgate.logs.filter((line) => line.includes(token))).toEqual([]);
    }
  });
});
