import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { csrfFrom, startAskgate, type Askgate } from '../support/harness.ts';

let askgate: Askgate;
let clientSerial = 0;

beforeAll(async () => {
  askgate = await startAskgate({ ASKGATE_RETURN_URL_HOSTS: 'shop.example' });
});

afterAll(async () => {
  await askgate.stop();
});

const cityChoices = [
  { id: 'ba', label: 'Buenos Aires' },
  { id: 'ros', label: 'Rosario' },
  { id: 'cba', label: 'Córdoba' },
  { id: 'mdz', label: 'Mendoza' },
];

/** One question of each type, with expected answers. */
const everyType = [
  { id: 'pet', prompt: 'Name of your first pet?', type: 'text', answer: 'Rex' },
  { id: 'acct', prompt: 'Last 4 digits of your account?', type: 'number', answer: '0042' },
  { id: 'dob', prompt: 'Date of birth?', type: 'date', answer: '1990-04-12' },
  { id: 'city', prompt: 'Where did you open the account?', type: 'choice', answer: 'ros', choices: cityChoices },
  { id: 'pin', prompt: 'Your PIN?', type: 'pin', answer: '7319' },
];

const rightAnswers = { 'answer.pet': ' rex ', 'answer.acct': '00 42', 'answer.dob': '12/04/1990', 'answer.city': 'ros', 'answer.pin': '7319' };

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  clientSerial += 1;
  return {
    client_id: `types-${process.pid}-${clientSerial}`,
    questions: everyType,
    return: { channel: 'whatsapp', phone: '+5491122334455' },
    ...overrides,
  };
}

function withQuestion(index: number, changes: Record<string, unknown>): Record<string, unknown>[] {
  return everyType.map((question, position) => (position === index ? { ...question, ...changes } : question));
}

async function fieldsOf(response: Response): Promise<string[]> {
  const problem = await response.json();
  return (problem.errors ?? []).map((error: { field: string }) => error.field);
}

async function viewOf(id: string): Promise<Record<string, unknown>> {
  return (await askgate.api(`/v1/challenges/${id}`)).json();
}

/** Posts `fields` with the page's CSRF token, as the browser form would. */
async function post(url: string, fields: Record<string, string>): Promise<Response> {
  const csrf = csrfFrom(await (await fetch(url)).text());
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...fields }).toString(),
  });
}

function namesIn(html: string): string[] {
  return [...new Set([...html.matchAll(/name="(answer[^"]*)"/g)].map((match) => match[1] as string))];
}

describe('create with typed questions', () => {
  const invalidCases: { name: string; request: Record<string, unknown>; field: string }[] = [
    { name: 'date answer not ISO', request: body({ questions: withQuestion(2, { answer: '12/04/1990' }) }), field: 'questions.2.answer' },
    { name: 'date that does not exist', request: body({ questions: withQuestion(2, { answer: '1990-02-30' }) }), field: 'questions.2.answer' },
    { name: 'number answer with letters', request: body({ questions: withQuestion(1, { answer: '42a' }) }), field: 'questions.1.answer' },
    { name: 'pin answer too short', request: body({ questions: withQuestion(4, { answer: '123' }) }), field: 'questions.4.answer' },
    { name: 'choice answer not an id', request: body({ questions: withQuestion(3, { answer: 'Rosario' }) }), field: 'questions.3.answer' },
    { name: 'choice without choices', request: body({ questions: withQuestion(3, { choices: undefined }) }), field: 'questions.3.choices' },
    { name: 'one choice', request: body({ questions: withQuestion(3, { choices: cityChoices.slice(0, 1), answer: 'ba' }) }), field: 'questions.3.choices' },
    {
      name: 'nine choices',
      request: body({ questions: withQuestion(3, { choices: Array.from({ length: 9 }, (_, index) => ({ id: `c${index}`, label: `City ${index}` })), answer: 'c1' }) }),
      field: 'questions.3.choices',
    },
    {
      name: 'duplicate choice ids',
      request: body({ questions: withQuestion(3, { choices: [{ id: 'a', label: 'A' }, { id: 'a', label: 'B' }], answer: 'a' }) }),
      field: 'questions.3.choices.1.id',
    },
    { name: 'choices on text question', request: body({ questions: withQuestion(0, { choices: cityChoices }) }), field: 'questions.0.choices' },
    { name: 'unknown type', request: body({ questions: withQuestion(0, { type: 'email' }) }), field: 'questions.0.type' },
    { name: 'ask above count', request: body({ ask: 6 }), field: 'ask' },
    { name: 'ask zero', request: body({ ask: 0 }), field: 'ask' },
  ];

  for (const { name, request, field } of invalidCases) {
    test(`rejects ${name}`, async () => {
      const response = await askgate.api('/v1/challenges', { body: request });
      expect(response.status).toBe(400);
      expect(await fieldsOf(response)).toContain(field);
    });
  }

  test('ask picks that many questions', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const created = await askgate.createChallenge(body({ ask: 2 }));
      const names = namesIn(await (await fetch(created.url)).text());
      expect(names.length).toBe(2);
      for (const name of names) seen.add(name);
    }
    // Twelve draws of 2 out of 5 leave a question unseen with probability below 1 in 400.
    expect(seen.size).toBe(5);
  });

  test('ask keeps the given order', async () => {
    const created = await askgate.createChallenge(body({ ask: 3 }));
    const names = namesIn(await (await fetch(created.url)).text());
    const positions = names.map((name) => everyType.findIndex((question) => `answer.${question.id}` === name));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  test('ask 1 shows one answer field', async () => {
    const created = await askgate.createChallenge(body({ ask: 1 }));
    const names = namesIn(await (await fetch(created.url)).text());
    expect(names).toEqual(['answer']);
  });

  test('choice order is fixed at creation', async () => {
    const orders = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const created = await askgate.createChallenge(body({ questions: [everyType[3]] }));
      const first = (await (await fetch(created.url)).text()).match(/value="(ba|ros|cba|mdz)"/g)?.join(',');
      const again = (await (await fetch(created.url)).text()).match(/value="(ba|ros|cba|mdz)"/g)?.join(',');
      expect(again).toBe(first);
      orders.add(String(first));
    }
    // Eight shuffles of four options all landing on one order has probability 1 in 24^7.
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('submit typed questions', () => {
  test('right answers pass', async () => {
    const created = await askgate.createChallenge(body());
    const response = await post(created.url, rightAnswers);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('id="return-link"');
    expect((await viewOf(created.id)).status).toBe('passed');
  });

  test('wrong answer does not say which', async () => {
    const created = await askgate.createChallenge(body());
    const wrongDate = await post(created.url, { ...rightAnswers, 'answer.dob': '13/04/1990' });
    const wrongPin = await post(created.url, { ...rightAnswers, 'answer.pin': '7318' });
    const first = (await wrongDate.text()).replace(/value="[^"]*"/g, '').replace(/\d attempts? left/, 'N');
    const second = (await wrongPin.text()).replace(/value="[^"]*"/g, '').replace(/\d attempts? left/, 'N');
    expect(first).toBe(second);
    expect(first).not.toContain('aria-invalid');
    expect((await viewOf(created.id)).attempts).toBe(2);
  });

  test('unreadable answer uses no attempt', async () => {
    const created = await askgate.createChallenge(body());
    const response = await post(created.url, { ...rightAnswers, 'answer.dob': '31/02/1990', 'answer.acct': 'forty-two' });
    const html = await response.text();
    expect(response.status).toBe(422);
    expect(html).toContain('not in the expected form');
    expect(html).toContain('Enter a date that exists');
    expect(html).toContain('Enter digits only.');
    expect(html.match(/aria-invalid="true"/g)?.length).toBe(2);
    expect((await viewOf(created.id)).attempts).toBe(0);
  });

  test('page is never given the answers back', async () => {
    const created = await askgate.createChallenge(body());
    const html = await (await post(created.url, { ...rightAnswers, 'answer.pet': 'Garfield-9931' })).text();
    expect(html).not.toContain('Garfield-9931');
    expect(html).not.toContain('7319');
  });

  test('date follows en-US order', async () => {
    const created = await askgate.createChallenge(body({ questions: [everyType[2]], locale: 'en-US' }));
    const page = await (await fetch(created.url)).text();
    expect(page).toContain('Month/day/year');
    const response = await post(created.url, { answer: '04/12/1990' });
    await response.text();
    expect((await viewOf(created.id)).status).toBe('passed');
  });

  test('date follows Spanish order', async () => {
    const created = await askgate.createChallenge(body({ questions: [everyType[2]], locale: 'es' }));
    const page = await (await fetch(created.url)).text();
    expect(page).toContain('Día/mes/año');
    const response = await post(created.url, { answer: '12/04/1990' });
    await response.text();
    expect((await viewOf(created.id)).status).toBe('passed');
  });

  test('fields carry their input modes', async () => {
    const created = await askgate.createChallenge(body());
    const html = await (await fetch(created.url)).text();
    const inputOf = (name: string) => new RegExp(`<input[^>]*name="${name.replace('.', '\\.')}"[^>]*>`).exec(html)?.[0] ?? '';
    expect(inputOf('answer.acct')).toContain('inputmode="numeric"');
    expect(inputOf('answer.acct')).toContain('type="text"');
    expect(inputOf('answer.pin')).toContain('type="password"');
    expect(inputOf('answer.pin')).toContain('inputmode="numeric"');
    expect(inputOf('answer.pin')).toContain('autocomplete="off"');
    expect(inputOf('answer.dob')).toContain('aria-describedby="q-2-hint"');
    expect(inputOf('answer.city')).toContain('type="radio"');
    expect(html).toContain('<fieldset');
    expect(html).toContain('<legend dir="auto">Where did you open the account?</legend>');
  });
});

describe('return channel limits', () => {
  const base = () => body({ questions: [everyType[0]] });
  const rejected: { name: string; target: Record<string, unknown>; field: string }[] = [
    { name: 'telegram payload of 65 characters', target: { channel: 'telegram', bot: 'acme_help_bot', payload: 'a'.repeat(65) }, field: 'return.payload' },
    { name: 'telegram payload with a dot', target: { channel: 'telegram', bot: 'acme_help_bot', payload: 'order.42' }, field: 'return.payload' },
    { name: 'telegram payload with a space', target: { channel: 'telegram', bot: 'acme_help_bot', payload: 'order 42' }, field: 'return.payload' },
    { name: 'telegram payload non-ASCII', target: { channel: 'telegram', bot: 'acme_help_bot', payload: 'pedido-ñ' }, field: 'return.payload' },
    { name: 'telegram empty payload', target: { channel: 'telegram', bot: 'acme_help_bot', payload: '' }, field: 'return.payload' },
    { name: 'telegram bot too short', target: { channel: 'telegram', bot: 'abc' }, field: 'return.bot' },
    { name: 'messenger ref of 2084 characters', target: { channel: 'messenger', page: 'acmehelp', ref: 'r'.repeat(2084) }, field: 'return.ref' },
    { name: 'url off the allow-list', target: { channel: 'url', url: 'https://evil.example/back' }, field: 'return.url' },
    { name: 'url over http', target: { channel: 'url', url: 'http://shop.example/back' }, field: 'return.url' },
  ];

  for (const { name, target, field } of rejected) {
    test(`rejects ${name}`, async () => {
      const response = await askgate.api('/v1/challenges', { body: { ...base(), return: target } });
      expect(response.status).toBe(400);
      expect(await fieldsOf(response)).toContain(field);
    });
  }

  test('accepts payload of 64 characters', async () => {
    const response = await askgate.api('/v1/challenges', { body: { ...base(), return: { channel: 'telegram', bot: 'acme_help_bot', payload: 'A-z_9'.repeat(12) + 'abcd' } } });
    expect(response.status).toBe(201);
  });

  test('accepts ref of 2083 characters', async () => {
    const response = await askgate.api('/v1/challenges', { body: { ...base(), return: { channel: 'messenger', page: 'acmehelp', ref: 'r'.repeat(2083) } } });
    expect(response.status).toBe(201);
  });
});
