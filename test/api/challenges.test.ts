import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { csrfFrom, sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

/** An expected answer that no response, header or error message may ever contain. */
const canary = 'CANARY-ANSWER-7731';
const problemJson = 'application/problem+json; charset=utf-8';
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

let askgate: Askgate;

beforeAll(async () => {
  askgate = await startAskgate({ ASKGATE_RETURN_URL_HOSTS: 'shop.example.com' });
});

afterAll(async () => {
  await askgate.stop();
});

/** A sample body with the canary as the expected answer, minus the fields named in `omit`. */
function canaryBody(overrides: Record<string, unknown> = {}, omit: string[] = []): Record<string, unknown> {
  const body = sampleChallenge({ answer: canary, ...overrides });
  for (const field of omit) delete body[field];
  return body;
}

function headerText(response: Response): string {
  const lines: string[] = [];
  response.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

function pageTokenOf(url: string): string {
  return new URL(url).pathname.replace(/^\/c\//, '');
}

describe('POST /v1/challenges', () => {
  test('returns 201 with created shape', async () => {
    const request = sampleChallenge();
    const response = await askgate.api('/v1/challenges', { body: request });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toStartWith('application/json');

    const body = await response.json();
    expect(body.id).toMatch(/^chl_[A-Za-z0-9_-]+$/);
    expect(body.url).toStartWith(askgate.publicUrl + '/c/');
    expect(pageTokenOf(body.url)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(body.status).toBe('pending');
    expect(body.expires_at).toMatch(isoPattern);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    expect(body.client_id).toBe(request.client_id as string);
  });

  test('accepts questions array form', async () => {
    const created = await askgate.createChallenge({
      client_id: 'cust-2',
      questions: [
        { id: 'dob', prompt: 'What is your date of birth?', type: 'text', answer: '1990-04-12' },
        { id: 'city', prompt: 'In which city were you born?', type: 'text', answer: 'Rosario' },
      ],
      return: { channel: 'whatsapp', phone: '+5491122334455' },
    });
    expect(created.status).toBe('pending');

    const page = await (await fetch(created.url)).text();
    expect(page).toContain('name="answer.dob"');
    expect(page).toContain('name="answer.city"');
    expect(page).not.toContain('name="answer"');

    const response = await submitAnswer(created.url, { 'answer.dob': '1990-04-12', 'answer.city': 'rosario' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="return-link"');

    const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(view.status).toBe('passed');
  });

  const invalidCases: { name: string; body: unknown; field: string }[] = [
    { name: 'missing client_id', body: canaryBody({}, ['client_id']), field: 'client_id' },
    { name: 'too-long question', body: canaryBody({ question: 'q'.repeat(501) }), field: 'question' },
    { name: 'expires_in 5', body: canaryBody({ expires_in: 5 }), field: 'expires_in' },
    { name: 'expires_in 90000', body: canaryBody({ expires_in: 90000 }), field: 'expires_in' },
    { name: 'max_attempts 0', body: canaryBody({ max_attempts: 0 }), field: 'max_attempts' },
    { name: 'max_attempts 11', body: canaryBody({ max_attempts: 11 }), field: 'max_attempts' },
    {
      name: 'non-E.164 phone',
      body: canaryBody({ return: { channel: 'whatsapp', phone: '0054 11 2233-4455' } }),
      field: 'return.phone',
    },
    {
      name: 'question with questions',
      body: canaryBody({ answer: undefined, questions: [{ id: 'dob', prompt: 'Date of birth?', answer: canary }] }),
      field: 'question',
    },
    {
      // This body has no answer, so the canary goes in metadata instead.
      name: 'no answer or validation URL',
      body: canaryBody({ metadata: { note: canary } }, ['answer']),
      field: 'answer',
    },
    {
      name: 'telegram payload characters',
      body: canaryBody({ return: { channel: 'telegram', bot: 'acme_help_bot', payload: 'code 42/ok' } }),
      field: 'return.payload',
    },
    {
      name: 'url return host',
      body: canaryBody({ return: { channel: 'url', url: 'https://elsewhere.example.net/back' } }),
      field: 'return.url',
    },
    {
      name: 'metadata with 21 keys',
      body: canaryBody({ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`key${index}`, index])) }),
      field: 'metadata',
    },
    { name: 'array body', body: [canary], field: 'body' },
    { name: 'string body', body: JSON.stringify(canary), field: 'body' },
  ];

  for (const { name, body, field } of invalidCases) {
    test(`rejects ${name}`, async () => {
      const response = await askgate.api('/v1/challenges', { body });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe(problemJson);

      const problem = JSON.parse(text);
      expect(problem.code).toBe('validation_failed');
      expect(problem.status).toBe(400);
      expect(problem.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(text).not.toContain(canary);
      expect(headerText(response)).not.toContain(canary);
    });
  }

  test('rejects malformed JSON', async () => {
    const response = await askgate.api('/v1/challenges', { body: `{"client_id":"cust-8841","answer":"${canary}",` });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe(problemJson);
    expect(JSON.parse(text).code).toBe('invalid_json');
    expect(text).not.toContain(canary);
    expect(headerText(response)).not.toContain(canary);
  });

  test('accepts allow-listed url return', async () => {
    const response = await askgate.api('/v1/challenges', {
      body: sampleChallenge({ return: { channel: 'url', url: 'https://shop.example.com/back' } }),
    });
    expect(response.status).toBe(201);
  });
});

describe('API authentication', () => {
  const cases: { name: string; headers: Record<string, string> }[] = [
    { name: 'missing header', headers: {} },
    { name: 'Basic scheme', headers: { authorization: 'Basic ' + btoa('bot:secret') } },
    { name: 'wrong key', headers: { authorization: 'Bearer ak_not_the_configured_key' } },
  ];

  for (const { name, headers } of cases) {
    test(`rejects ${name}`, async () => {
      const response = await fetch(askgate.apiUrl + '/v1/challenges', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(sampleChallenge()),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe(problemJson);
      expect(response.headers.get('www-authenticate')).toStartWith('Bearer');
      expect((await response.json()).code).toBe('unauthorized');
    });
  }
});

describe('API not found', () => {
  test('unknown challenge id', async () => {
    const response = await askgate.api('/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe(problemJson);
    expect((await response.json()).code).toBe('not_found');
  });

  test('unknown route', async () => {
    const response = await askgate.api('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe(problemJson);
    expect((await response.json()).code).toBe('not_found');
  });
});

describe('GET /v1/challenges/:id', () => {
  test('returns view without secrets', async () => {
    const created = await askgate.createChallenge(
      canaryBody({ client_id: 'cust-77', max_attempts: 5, metadata: { conversation: 'abc', turn: 4 } }),
    );
    const response = await askgate.api(`/v1/challenges/${created.id}`);
    const text = await response.text();
    expect(response.status).toBe(200);

    const view = JSON.parse(text);
    expect(view.id).toBe(created.id);
    expect(view.client_id).toBe('cust-77');
    expect(view.status).toBe('pending');
    expect(view.attempts).toBe(0);
    expect(view.max_attempts).toBe(5);
    expect(view.created_at).toMatch(isoPattern);
    expect(view.expires_at).toBe(created.expires_at);
    expect(view.metadata).toEqual({ conversation: 'abc', turn: 4 });
    expect(view).not.toHaveProperty('url');
    expect(view).not.toHaveProperty('return_code');
    expect(view).not.toHaveProperty('completed_at');
    expect(text).not.toContain(pageTokenOf(created.url));
    expect(text).not.toContain(canary);
  });

  test('shows return code when passed', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const answered = await submitAnswer(created.url, { answer: '1990-04-12' });
    expect(answered.status).toBe(200);

    const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(view.status).toBe('passed');
    expect(view.attempts).toBe(1);
    expect(view.return_code).toMatch(/^[A-Z2-9]{7}$/);
    expect(view.completed_at).toMatch(isoPattern);
  });
});

describe('DELETE /v1/challenges/:id', () => {
  test('cancels pending challenge', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const csrf = csrfFrom(await (await fetch(created.url)).text());

    const response = await askgate.api(`/v1/challenges/${created.id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    const view = await response.json();
    expect(view.status).toBe('canceled');
    expect(view.completed_at).toMatch(isoPattern);

    const page = await fetch(created.url);
    expect(page.status).toBe(410);

    const submitted = await fetch(created.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, answer: '1990-04-12' }).toString(),
    });
    expect(submitted.status).toBe(410);
  });

  test('rejects second cancel with 409', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const first = await askgate.api(`/v1/challenges/${created.id}`, { method: 'DELETE' });
    expect(first.status).toBe(200);

    const second = await askgate.api(`/v1/challenges/${created.id}`, { method: 'DELETE' });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe(problemJson);
    expect((await second.json()).code).toBe('challenge_not_pending');
  });
});

describe('Idempotency-Key', () => {
  test('replays same key and body', async () => {
    const key = `retry-${crypto.randomUUID()}`;
    const body = sampleChallenge({ client_id: 'cust-idem' });
    const first = await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.json();

    const second = await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': key } });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const secondBody = await second.json();
    expect(secondBody.id).toBe(firstBody.id);
    expect(secondBody.url).toBe(firstBody.url);
  });

  test('rejects same key, other body', async () => {
    const key = `retry-${crypto.randomUUID()}`;
    const first = await askgate.api('/v1/challenges', { body: sampleChallenge(), headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);

    const second = await askgate.api('/v1/challenges', {
      body: sampleChallenge({ client_id: 'someone-else' }),
      headers: { 'idempotency-key': key },
    });
    expect(second.status).toBe(422);
    expect(second.headers.get('content-type')).toBe(problemJson);
    expect((await second.json()).code).toBe('idempotency_key_reused');
  });
});
