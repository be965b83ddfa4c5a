import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { errorStatuses } from '../../src/errors/app-error.ts';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

/**
 * Property-based tests of both ports with generated requests. Every string the generators put in
 * a request carries a marker, so that a marker in a response proves a request value was echoed.
 * Answers carry their own marker, which no response may ever contain.
 */
const valueMarker = 'vQZ7';
const answerMarker = 'aQZ9';
const problemJson = 'application/problem+json; charset=utf-8';
const knownCodes = new Set(Object.keys(errorStatuses));

const tagged = fc.string({ maxLength: 40, unit: 'binary' }).map((text) => valueMarker + text);
/** Header values allow visible ASCII and spaces only; fetch rejects anything else before sending. */
const taggedHeader = fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map((text) => valueMarker + text.trim());
const taggedKey = fc.stringMatching(/^[A-Za-z0-9_.-]{0,12}$/).map((key) => valueMarker + key);
const answer = fc.string({ maxLength: 40 }).map((text) => answerMarker + text);
const scalar = fc.oneof(tagged, fc.integer({ min: -1e6, max: 1e6 }), fc.double(), fc.boolean(), fc.constant(null));
const anything = fc.oneof(
  { depthSize: 'small' },
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(taggedKey, scalar, { maxKeys: 3 }),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, anything);

const returnTarget = fc.record(
  {
    channel: fc.oneof(fc.constantFrom('whatsapp', 'telegram', 'messenger', 'url'), tagged),
    phone: fc.oneof(fc.constant('+5491122334455'), tagged),
    text: tagged,
    bot: fc.oneof(fc.constant('acme_help_bot'), tagged),
    payload: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), tagged),
    page: tagged,
    ref: tagged,
    url: fc.oneof(fc.constant('https://shop.example.com/back'), tagged.map((text) => `https://${text}.example/`)),
  },
  { requiredKeys: [] },
);

const question = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), tagged),
    prompt: tagged,
    type: fc.oneof(fc.constant('text'), tagged),
    answer,
  },
  { requiredKeys: [] },
);

/** Bodies with any of the create fields, each of the right or a wrong type. */
const looseBody = fc
  .tuple(
    fc.record(
      {
        client_id: maybe(tagged),
        question: maybe(tagged),
        answer: maybe(answer),
        questions: maybe(fc.array(question, { maxLength: 4 })),
        validation_url: maybe(tagged.map((text) => `https://${text}/check`)),
        return: maybe(returnTarget),
        expires_in: maybe(fc.integer({ min: -100, max: 100000 })),
        max_attempts: maybe(fc.integer({ min: -2, max: 12 })),
        locale: maybe(fc.oneof(fc.constantFrom('en', 'es', 'pt-BR'), tagged)),
        metadata: maybe(fc.dictionary(taggedKey, scalar, { maxKeys: 25 })),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(taggedKey, anything, { maxKeys: 2 }),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

/** Valid create bodies: one question or several, with the optional fields present or not. */
const validBody = fc.oneof(
  fc.record(
    {
      client_id: tagged,
      question: tagged,
      answer,
      return: fc.record({ channel: fc.constant('whatsapp'), phone: fc.constant('+5491122334455'), text: tagged }),
      expires_in: fc.integer({ min: 10, max: 86400 }),
      max_attempts: fc.integer({ min: 1, max: 10 }),
      locale: fc.constantFrom('en', 'es', 'pt-BR'),
      metadata: fc.dictionary(taggedKey, scalar, { maxKeys: 5 }),
    },
    { requiredKeys: ['client_id', 'question', 'answer', 'return'] },
  ),
  fc.record({
    client_id: tagged,
    questions: fc.array(fc.record({ prompt: tagged, answer }), { minLength: 1, maxLength: 4 }).map((items) => items.map((item, index) => ({ id: `q${index}`, ...item }))),
    return: fc.record({ channel: fc.constant('telegram'), bot: fc.constant('acme_help_bot') }),
  }),
);

const fieldNames = ['client_id', 'question', 'answer', 'questions', 'validation_url', 'return', 'expires_in', 'max_attempts', 'locale', 'metadata'];

/** Valid bodies with one to three fields removed or replaced by a value of any type. */
const mutatedBody = fc
  .tuple(validBody, fc.array(fc.tuple(fc.constantFrom(...fieldNames), fc.option(anything, { nil: undefined })), { minLength: 1, maxLength: 3 }))
  .map(([body, edits]) => {
    const copy: Record<string, unknown> = { ...body };
    for (const [field, value] of edits) {
      if (value === undefined) delete copy[field];
      else copy[field] = value;
    }
    return copy;
  });

const createBody = fc.oneof(validBody, mutatedBody, looseBody);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  '',
);

/** Every field the API reads from a request, serialized in ways a careless client might. */
const rawBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200, unit: 'binary' }).map((text) => valueMarker + text),
  validBody.map((body) => JSON.stringify(body).slice(0, -1)),
);

function headerText(response: Response): string {
  const lines: string[] = [];
  response.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

interface Observed {
  status: number;
  type: string;
  text: string;
  headers: string;
}

async function observe(response: Response): Promise<Observed> {
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text(), headers: headerText(response) };
}

/** Checks what every API response must satisfy; a failed expect makes fast-check shrink the input. */
function checkApiResponse(observed: Observed): void {
  expect(observed.status).toBeLessThan(500);
  expect(observed.text).not.toContain(answerMarker);
  expect(observed.headers).not.toContain(answerMarker);
  if (observed.status < 400) return;

  expect(observed.type).toBe(problemJson);
  const problem = JSON.parse(observed.text);
  expect(knownCodes.has(problem.code)).toBe(true);
  expect<number>(errorStatuses[problem.code as keyof typeof errorStatuses]).toBe(observed.status);
  expect(problem.status).toBe(observed.status);
  expect(observed.text).not.toContain(valueMarker);
  expect(observed.headers).not.toContain(valueMarker);
}

let askgate: Askgate;

beforeAll(async () => {
  askgate = await startAskgate({
    ASKGATE_CREATE_RATE_PER_MINUTE: '1000000',
    ASKGATE_RETURN_URL_HOSTS: 'shop.example.com',
    ASKGATE_VALIDATION_URL_HOSTS: 'bot.example.com',
  });
});

afterAll(async () => {
  await askgate.stop();
});

describe('API fuzzing', () => {
  test('create bodies never cause 5xx', async () => {
    const statuses = new Set<number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(createBody, fc.option(taggedHeader, { nil: undefined }), async (body, idempotencyKey) => {
        runs += 1;
        const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey };
        const observed = await observe(await askgate.api('/v1/challenges', { body, headers }));
        statuses.add(observed.status);
        checkApiResponse(observed);
      }),
      { numRuns: 4000, interruptAfterTimeLimit: 12_000 },
    );
    // The generators must reach both outcomes and run long enough, or the property proves little.
    expect(statuses.has(201)).toBe(true);
    expect(statuses.has(400)).toBe(true);
    expect(runs).toBeGreaterThanOrEqual(1000);
  });

  test('raw bodies never cause 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentTypes, async (body, contentType) => {
        const headers: Record<string, string> = contentType === '' ? {} : { 'content-type': contentType };
        const response = await fetch(askgate.apiUrl + '/v1/challenges', {
          method: 'POST',
          headers: { authorization: `Bearer ${askgate.apiKey}`, ...headers },
          body,
        });
        checkApiResponse(await observe(response));
      }),
      { numRuns: 1500, interruptAfterTimeLimit: 5_000 },
    );
  });

  test('ids and paths never cause 5xx', async () => {
    const method = fc.constantFrom('GET', 'DELETE', 'POST', 'PUT');
    const route = fc.constantFrom('/v1/challenges/{id}', '/v1/challenges/{id}/confirm', '/v1/events/{id}', '/v1/events/{id}/redeliver');
    const passed = await askgate.createChallenge(sampleChallenge());
    await (await fetch(passed.url)).text();
    // Real ids as well as generated ones, so that the routes get past their lookups too.
    const id = fc.oneof(tagged, fc.constant(passed.id), fc.constant('chl_AAAAAAAAAAAAAAAAAAAAAA'));
    const body = fc.option(fc.oneof(fc.record({ code: tagged }), anything), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(method, route, id, body, async (verb, path, resourceId, payload) => {
        const response = await fetch(askgate.apiUrl + path.replace('{id}', encodeURIComponent(resourceId)), {
          method: verb,
          headers: { authorization: `Bearer ${askgate.apiKey}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
          body: payload === undefined || verb === 'GET' ? undefined : JSON.stringify(payload),
        });
        checkApiResponse(await observe(response));
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 4_000 },
    );
  });

  test('event list queries never cause 5xx', async () => {
    const query = fc.dictionary(fc.constantFrom('challenge_id', 'status', 'limit', 'cursor'), fc.oneof(tagged, fc.constantFrom('1', '100', '101', 'dead', '-1')), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const response = await askgate.api(`/v1/events?${new URLSearchParams(params)}`);
        checkApiResponse(await observe(response));
      }),
      { numRuns: 500, interruptAfterTimeLimit: 3_000 },
    );
  });
});

describe('page fuzzing', () => {
  test('page posts always get HTML', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ max_attempts: 10 }));
    const realToken = new URL(created.url).pathname.slice('/c/'.length);
    const csrf = csrfFrom(await (await fetch(created.url)).text());

    const token = fc.oneof(fc.constant(realToken), fc.stringMatching(/^[A-Za-z0-9_-]{32}$/), tagged.map(encodeURIComponent));
    const fields = fc.tuple(
      fc.dictionary(fc.oneof(fc.constantFrom('answer', 'answer.q1', 'csrf'), taggedKey), fc.oneof(answer, tagged), { maxKeys: 4 }),
      fc.boolean(),
    );
    const encoding = fc.constantFrom('form', 'json', 'multipart', 'raw');
    const headers = fc.record(
      {
        origin: fc.oneof(fc.constant('null'), taggedHeader),
        'sec-fetch-site': fc.constantFrom('same-origin', 'cross-site', 'none', 'same-site'),
        'accept-language': taggedHeader,
      },
      { requiredKeys: [] },
    );

    let runs = 0;
    await fc.assert(
      fc.asyncProperty(token, fields, encoding, headers, contentTypes, async (path, [form, withCsrf], how, extraHeaders, rawType) => {
        runs += 1;
        const values: Record<string, string> = withCsrf ? { ...form, csrf } : form;
        let body: BodyInit;
        let type: string;
        if (how === 'form') {
          body = new URLSearchParams(values).toString();
          type = 'application/x-www-form-urlencoded';
        } else if (how === 'json') {
          body = JSON.stringify(values);
          type = 'application/json';
        } else if (how === 'multipart') {
          const data = new FormData();
          for (const [name, value] of Object.entries(values)) data.append(name, value);
          body = data;
          type = '';
        } else {
          body = Object.values(values).join('&');
          type = rawType;
        }

        const response = await fetch(`${askgate.webUrl}/c/${path}`, {
          method: 'POST',
          headers: { ...(type === '' ? {} : { 'content-type': type }), ...extraHeaders },
          body,
        });
        const observed = await observe(response);
        expect(observed.status).toBeLessThan(500);
        expect(observed.type).toBe('text/html; charset=utf-8');
        expect(observed.text).not.toContain(answerMarker);
        expect(observed.text).not.toContain(valueMarker);
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 8_000 },
    );
    expect(runs).toBeGreaterThanOrEqual(1000);
  });
});
