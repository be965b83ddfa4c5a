import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey } from '../../src/security/api-keys.ts';
import { csrfFrom, sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

const problemJson = 'application/problem+json; charset=utf-8';
const rightAnswer = '1990-04-12';

async function viewOf(server: Askgate, id: string): Promise<Record<string, unknown>> {
  return (await server.api(`/v1/challenges/${id}`)).json();
}

/** Posts a form to the page with its CSRF token, with `headers` added. */
async function postAnswer(url: string, answer: string, headers: Record<string, string> = {}): Promise<Response> {
  const csrf = csrfFrom(await (await fetch(url)).text());
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ csrf, answer }).toString(),
  });
}

describe('creation per API key', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_CREATE_RATE_PER_MINUTE: '3' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('fourth creation in a minute is 429', async () => {
    for (let index = 0; index < 3; index++) {
      expect((await askgate.api('/v1/challenges', { body: sampleChallenge() })).status).toBe(201);
    }
    const rejected = await askgate.api('/v1/challenges', { body: sampleChallenge() });
    const problem = await rejected.json();
    const retryAfter = Number(rejected.headers.get('retry-after'));

    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('content-type')).toBe(problemJson);
    expect(problem.code).toBe('rate_limited');
    expect(problem.status).toBe(429);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  test('other key has its own count', async () => {
    const { key } = await createApiKey(askgate.store, 'other');
    const response = await fetch(askgate.apiUrl + '/v1/challenges', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(sampleChallenge()),
    });
    expect(response.status).toBe(201);
  });

  test('reads stay allowed', async () => {
    const response = await askgate.api('/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA');
    expect(response.status).toBe(404);
  });
});

describe('pending per client', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate();
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('newer challenge cancels older link', async () => {
    const older = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-replaced' }));
    const newer = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-replaced' }));

    const oldPage = await fetch(older.url);
    const oldHtml = await oldPage.text();
    expect(oldPage.status).toBe(410);
    expect(oldHtml).toContain('This verification was canceled');
    expect((await viewOf(askgate, older.id)).status).toBe('canceled');
    expect((await viewOf(askgate, newer.id)).status).toBe('pending');
    expect((await fetch(newer.url)).status).toBe(200);

    const events = await askgate.store.listEvents('default', { challengeId: older.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.canceled']);
  });

  test('old link rejects answers', async () => {
    const older = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-replaced-2' }));
    const csrf = csrfFrom(await (await fetch(older.url)).text());
    await askgate.createChallenge(sampleChallenge({ client_id: 'cust-replaced-2' }));

    const response = await fetch(older.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, answer: rightAnswer }).toString(),
    });
    await response.text();
    expect(response.status).toBe(410);
    expect((await viewOf(askgate, older.id)).attempts).toBe(0);
  });
});

describe('total pending cap', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_MAX_PENDING: '2' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('third pending challenge is 429', async () => {
    await askgate.createChallenge(sampleChallenge());
    await askgate.createChallenge(sampleChallenge());
    const rejected = await askgate.api('/v1/challenges', { body: sampleChallenge() });
    const problem = await rejected.json();
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('content-type')).toBe(problemJson);
    expect(problem.code).toBe('rate_limited');
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('failed answers per client', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_CLIENT_FAILURES_MAX: '3', ASKGATE_CLIENT_FAILURES_WINDOW: '900' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('locks client across challenges', async () => {
    const first = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-guessed', max_attempts: 2 }));
    await (await submitAnswer(first.url, { answer: 'wrong 1' })).text();
    await (await submitAnswer(first.url, { answer: 'wrong 2' })).text();
    expect((await viewOf(askgate, first.id)).status).toBe('failed');

    const second = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-guessed' }));
    await (await submitAnswer(second.url, { answer: 'wrong 3' })).text();

    const locked = await submitAnswer(second.url, { answer: rightAnswer });
    const html = await locked.text();
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Too many attempts');
    expect(html).toContain('try again in 15 minutes');
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);

    const view = await viewOf(askgate, second.id);
    expect(view.status).toBe('pending');
    expect(view.attempts).toBe(1);
    expect(askgate.logs.some((line) => line.includes('too many wrong answers for this client'))).toBe(true);
  });

  test('creation works while locked', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-create', max_attempts: 5 }));
    for (const answer of ['wrong 1', 'wrong 2', 'wrong 3']) await (await submitAnswer(challenge.url, { answer })).text();
    expect((await submitAnswer(challenge.url, { answer: rightAnswer })).status).toBe(429);

    const response = await askgate.api('/v1/challenges', { body: sampleChallenge({ client_id: 'cust-create' }) });
    expect(response.status).toBe(201);
  });

  test('other client is not locked', async () => {
    const victim = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-noisy', max_attempts: 5 }));
    for (const answer of ['wrong 1', 'wrong 2', 'wrong 3']) await (await submitAnswer(victim.url, { answer })).text();

    const bystander = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-quiet' }));
    const response = await submitAnswer(bystander.url, { answer: rightAnswer });
    expect(response.status).toBe(200);
  });

  test('success resets the count', async () => {
    const first = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-reset', max_attempts: 5 }));
    await (await submitAnswer(first.url, { answer: 'wrong 1' })).text();
    await (await submitAnswer(first.url, { answer: 'wrong 2' })).text();
    expect((await submitAnswer(first.url, { answer: rightAnswer })).status).toBe(200);

    const second = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-reset', max_attempts: 5 }));
    for (const answer of ['wrong 3', 'wrong 4', 'wrong 5']) {
      const response = await submitAnswer(second.url, { answer });
      await response.text();
      expect({ answer, status: response.status }).toEqual({ answer, status: 200 });
    }
    expect((await submitAnswer(second.url, { answer: rightAnswer })).status).toBe(429);
  });

  test('concurrent wrong answers respect limit', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-burst', max_attempts: 10 }));
    const csrf = csrfFrom(await (await fetch(challenge.url)).text());
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        fetch(challenge.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, answer: `burst ${index}` }).toString(),
        }),
      ),
    );
    const statuses = await Promise.all(
      responses.map(async (response) => {
        await response.text();
        return response.status;
      }),
    );

    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(17);
    expect((await viewOf(askgate, challenge.id)).attempts).toBe(3);
  });

  test('other tenant same client_id unaffected', async () => {
    const guessed = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-shared-id', max_attempts: 5 }));
    for (const answer of ['wrong 1', 'wrong 2', 'wrong 3']) await (await submitAnswer(guessed.url, { answer })).text();

    const { key } = await createApiKey(askgate.store, 'other-bank');
    const created = await (
      await fetch(askgate.apiUrl + '/v1/challenges', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleChallenge({ client_id: 'cust-shared-id' })),
      })
    ).json();
    expect((await submitAnswer(created.url, { answer: rightAnswer })).status).toBe(200);
  });
});

describe('failed answers window', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_CLIENT_FAILURES_MAX: '3', ASKGATE_CLIENT_FAILURES_WINDOW: '2' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('lock ends with the window', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ client_id: 'cust-window', max_attempts: 5 }));
    for (const answer of ['wrong 1', 'wrong 2', 'wrong 3']) await (await submitAnswer(challenge.url, { answer })).text();
    const locked = await submitAnswer(challenge.url, { answer: rightAnswer });
    await locked.text();
    expect(locked.status).toBe(429);

    await Bun.sleep(Number(locked.headers.get('retry-after')) * 1000 + 200);
    const passed = await submitAnswer(challenge.url, { answer: rightAnswer });
    expect(passed.status).toBe(200);
    expect(await passed.text()).toContain('id="return-link"');
  });
});

describe('page submissions per address', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_PAGE_RATE_PER_MINUTE: '3', ASKGATE_DEFAULT_LOCALE: 'es' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('fourth submission is 429 page', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ max_attempts: 10 }));
    for (let index = 0; index < 3; index++) {
      const response = await postAnswer(challenge.url, `wrong ${index}`);
      await response.text();
      expect({ index, status: response.status }).toEqual({ index, status: 200 });
    }

    const rejected = await postAnswer(challenge.url, rightAnswer);
    const html = await rejected.text();
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(html).toContain('Demasiados intentos');
    expect(html).toContain('vuelve a intentarlo en 1 minuto');
    expect((await viewOf(askgate, challenge.id)).attempts).toBe(3);
  });

  test('unknown tokens count too', async () => {
    const response = await fetch(`${askgate.webUrl}/c/${'Z'.repeat(32)}`, { method: 'POST', body: new URLSearchParams({ answer: 'x' }) });
    await response.text();
    expect(response.status).toBe(429);
  });

  test('forwarded header ignored without trust', async () => {
    const response = await postAnswer((await askgate.createChallenge(sampleChallenge())).url, rightAnswer, { 'x-forwarded-for': '198.51.100.20' });
    await response.text();
    expect(response.status).toBe(429);
  });

  test('GET pages stay available', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge());
    expect((await fetch(challenge.url)).status).toBe(200);
  });
});

describe('page submissions behind a proxy', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_PAGE_RATE_PER_MINUTE: '2', ASKGATE_TRUSTED_PROXIES: '127.0.0.1' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('counts each forwarded client', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ max_attempts: 10 }));
    const first = { 'x-forwarded-for': '198.51.100.1' };
    const second = { 'x-forwarded-for': '198.51.100.2' };

    expect((await postAnswer(challenge.url, 'wrong a', first)).status).toBe(200);
    expect((await postAnswer(challenge.url, 'wrong b', first)).status).toBe(200);
    expect((await postAnswer(challenge.url, 'wrong c', first)).status).toBe(429);
    expect((await postAnswer(challenge.url, 'wrong d', second)).status).toBe(200);
  });

  test('spoofed left hop changes nothing', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ max_attempts: 10 }));
    const client = '198.51.100.9';
    expect((await postAnswer(challenge.url, 'wrong a', { 'x-forwarded-for': `10.9.9.1, ${client}` })).status).toBe(200);
    expect((await postAnswer(challenge.url, 'wrong b', { 'x-forwarded-for': `10.9.9.2, ${client}` })).status).toBe(200);
    expect((await postAnswer(challenge.url, 'wrong c', { 'x-forwarded-for': `10.9.9.3, ${client}` })).status).toBe(429);
  });
});

describe('page submissions from closed sockets', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_PAGE_RATE_PER_MINUTE: '3' });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('closed sockets still count', async () => {
    const challenge = await askgate.createChallenge(sampleChallenge({ max_attempts: 10 }));
    const page = new URL(challenge.url);
    for (let index = 0; index < 3; index++) {
      const csrf = csrfFrom(await (await fetch(challenge.url)).text());
      const body = new URLSearchParams({ csrf, answer: `wrong ${index}` }).toString();
      const request =
        `POST ${page.pathname} HTTP/1.1\r\nHost: ${page.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
      // The client sends the whole form, then closes its socket without reading the reply.
      const socket = await Bun.connect({ hostname: page.hostname, port: Number(page.port), socket: { data() {} } });
      socket.write(request);
      socket.end();
    }

    let attempts = 0;
    for (let tries = 0; tries < 50 && attempts < 3; tries++) {
      await Bun.sleep(20);
      attempts = Number((await viewOf(askgate, challenge.id)).attempts);
    }
    expect(attempts).toBe(3);

    const rejected = await postAnswer(challenge.url, rightAnswer);
    await rejected.text();
    expect(rejected.status).toBe(429);
  });
});
