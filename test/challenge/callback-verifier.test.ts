import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

const signingSecret = 'whsec_' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
const validationTimeoutMs = 500;
/** How long the slow route waits before it replies, well past the timeout. */
const slowReplyMs = 3000;

interface ReceivedRequest {
  path: string;
  body: string;
  headers: Headers;
}

/**
 * Starts a stand-in for the bot's validation endpoint. The path picks the reply, so each test points
 * its challenge at the behaviour it needs and finds its own requests by path.
 */
function startValidationServer() {
  const received: ReceivedRequest[] = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      received.push({ path, body: await request.text(), headers: request.headers });
      switch (path) {
        case '/valid':
        case '/default':
          return Response.json({ valid: true });
        case '/invalid':
          return Response.json({ valid: false });
        case '/slow':
          await Bun.sleep(slowReplyMs);
          return Response.json({ valid: true });
        case '/not-json':
          return new Response('yes, valid', { headers: { 'content-type': 'text/plain' } });
        case '/no-boolean':
          return Response.json({ valid: 'true' });
        case '/status-500':
          return Response.json({ valid: true }, { status: 500 });
        default:
          return new Response('not found', { status: 404 });
      }
    },
  });
  return {
    url: (path: string) => `http://127.0.0.1:${server.port}${path}`,
    requestsTo: (path: string) => received.filter((request) => request.path === path),
    stop: () => server.stop(true),
  };
}

/** A challenge without an expected answer, so the validation URL decides. */
function callbackChallenge(validationUrl: string | undefined): Record<string, unknown> {
  const body = sampleChallenge({ max_attempts: 3 });
  delete body.answer;
  if (validationUrl !== undefined) body.validation_url = validationUrl;
  return body;
}

describe('callback verifier', () => {
  let validation: ReturnType<typeof startValidationServer>;
  let askgate: Askgate;

  beforeAll(async () => {
    validation = startValidationServer();
    askgate = await startAskgate({
      ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1',
      ASKGATE_VALIDATION_TIMEOUT_MS: String(validationTimeoutMs),
      ASKGATE_WEBHOOK_SECRET: signingSecret,
    });
  });

  afterAll(async () => {
    await askgate?.stop();
    validation?.stop();
  });

  async function readChallenge(id: string) {
    const response = await askgate.api(`/v1/challenges/${id}`);
    expect(response.status).toBe(200);
    return response.json();
  }

  test('passes on a valid reply', async () => {
    const created = await askgate.createChallenge(callbackChallenge(validation.url('/valid')));
    const page = await submitAnswer(created.url, { answer: 'April 12' });

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="return-link"');
    const record = await readChallenge(created.id);
    expect(record.status).toBe('passed');
    expect(record.attempts).toBe(1);
  });

  test('signs the validation request', async () => {
    const challengeBody = callbackChallenge(validation.url('/valid'));
    const created = await askgate.createChallenge(challengeBody);
    const before = Math.floor(Date.now() / 1000);
    await submitAnswer(created.url, { answer: ' Twelfth of April ' });

    const requests = validation.requestsTo('/valid').filter((request) => request.body.includes(created.id));
    expect(requests).toHaveLength(1);
    const request = requests[0] as ReceivedRequest;

    expect(request.headers.get('content-type')).toStartWith('application/json');
    const body = JSON.parse(request.body);
    expect(body.challenge_id).toBe(created.id);
    expect(body.client_id).toBe(challengeBody.client_id as string);
    expect(body.question_id).toBe('q1');
    expect(body.question).toBe('What is your date of birth?');
    expect(body.answer).toBe(' Twelfth of April ');

    const id = request.headers.get('webhook-id') ?? '';
    const timestamp = request.headers.get('webhook-timestamp') ?? '';
    const signature = request.headers.get('webhook-signature') ?? '';
    expect(id).not.toBe('');
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    expect(signature).toStartWith('v1,');

    const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
    expect(new Webhook(signingSecret).verify(request.body, headers)).toEqual(body);
    const otherSecret = 'whsec_' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    expect(() => new Webhook(otherSecret).verify(request.body, headers)).toThrow();
    expect(() => new Webhook(signingSecret).verify(request.body.replace('Twelfth', 'First'), headers)).toThrow();
  });

  test('counts an invalid reply', async () => {
    const created = await askgate.createChallenge(callbackChallenge(validation.url('/invalid')));
    const page = await submitAnswer(created.url, { answer: 'April 13' });

    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('You have 2 attempts left.');
    expect(html).not.toContain('id="return-link"');
    const record = await readChallenge(created.id);
    expect(record.status).toBe('pending');
    expect(record.attempts).toBe(1);
  });

  test('keeps attempts on a timeout', async () => {
    const created = await askgate.createChallenge(callbackChallenge(validation.url('/slow')));
    const started = performance.now();
    const page = await submitAnswer(created.url, { answer: 'April 12' });
    const elapsedMs = performance.now() - started;

    expect(await page.text()).toContain('could not check your answer');
    expect(page.status).toBe(503);
    expect(elapsedMs).toBeGreaterThanOrEqual(validationTimeoutMs);
    expect(elapsedMs).toBeLessThan(slowReplyMs - 500);
    expect(validation.requestsTo('/slow').length).toBeGreaterThanOrEqual(1);
    const record = await readChallenge(created.id);
    expect(record.status).toBe('pending');
    expect(record.attempts).toBe(0);
  });

  test.each([
    ['a non-JSON body', '/not-json'],
    ['JSON without boolean valid', '/no-boolean'],
    ['status 500', '/status-500'],
  ])('keeps attempts on %s', async (_case, path) => {
    const created = await askgate.createChallenge(callbackChallenge(validation.url(path)));
    const page = await submitAnswer(created.url, { answer: 'April 12' });

    expect(await page.text()).toContain('could not check your answer');
    expect(page.status).toBe(503);
    expect(validation.requestsTo(path).length).toBeGreaterThanOrEqual(1);
    const record = await readChallenge(created.id);
    expect(record.status).toBe('pending');
    expect(record.attempts).toBe(0);
  });

  test('rejects a host not allowed', async () => {
    const response = await askgate.api('/v1/challenges', {
      body: callbackChallenge('https://validator.example.com/check'),
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toStartWith('application/problem+json');
    const problem = await response.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors[0].field).toBe('validation_url');
  });

  test('uses the configured default URL', async () => {
    const withDefault = await startAskgate({
      ASKGATE_VALIDATION_API_URL: validation.url('/default'),
      ASKGATE_VALIDATION_TIMEOUT_MS: String(validationTimeoutMs),
      ASKGATE_WEBHOOK_SECRET: signingSecret,
    });
    try {
      const created = await withDefault.createChallenge(callbackChallenge(undefined));
      const page = await submitAnswer(created.url, { answer: 'April 12' });

      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="return-link"');
      const requests = validation.requestsTo('/default');
      expect(requests).toHaveLength(1);
      expect(JSON.parse((requests[0] as ReceivedRequest).body).challenge_id).toBe(created.id);
      const record = await (await withDefault.api(`/v1/challenges/${created.id}`)).json();
      expect(record.status).toBe('passed');
    } finally {
      await withDefault.stop();
    }
  });
});
