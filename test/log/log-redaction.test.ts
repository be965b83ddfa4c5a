import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { sampleChallenge, startAskgate, submitAnswer, testApiKey, testSecret, type Askgate } from '../support/harness.ts';

// Values that must never reach a log line. Each is distinctive, so a match cannot be a coincidence.
const hashedAnswer = 'Hashed-Answer-Canary-4417';
const wrongAnswer = 'Wrong-Answer-Canary-9902';
const callbackAnswer = 'Callback-Answer-Canary-3321';
const webhookSecret = 'whsec_' + Buffer.from('webhook-secret-canary-0123456789').toString('base64');
const metricsToken = 'metrics-token-canary-5566778899';

describe('logs during a full flow', () => {
  let askgate: Askgate;
  let validation: Server<undefined>;
  const pageTokens: string[] = [];
  const challengeIds: string[] = [];

  beforeAll(async () => {
    validation = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (request) => {
        const body = (await request.json()) as { answer: string };
        return Response.json({ valid: body.answer === callbackAnswer });
      },
    });
    askgate = await startAskgate({
      ASKGATE_LOG_LEVEL: 'debug',
      ASKGATE_WEBHOOK_SECRET: webhookSecret,
      ASKGATE_METRICS_TOKEN: metricsToken,
      ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1',
    });

    const track = (created: { id: string; url: string }) => {
      challengeIds.push(created.id);
      pageTokens.push(new URL(created.url).pathname.slice('/c/'.length));
      return created;
    };

    // Hash verifier: a wrong answer, then the right one.
    const hashed = track(await askgate.createChallenge(sampleChallenge({ answer: hashedAnswer })));
    await submitAnswer(hashed.url, { answer: wrongAnswer });
    await submitAnswer(hashed.url, { answer: hashedAnswer });
    await askgate.api(`/v1/challenges/${hashed.id}`);

    // Callback verifier: the answer travels to the validation URL.
    const callback = track(
      await askgate.createChallenge({ ...sampleChallenge(), answer: undefined, validation_url: `http://127.0.0.1:${validation.port}/check` }),
    );
    await submitAnswer(callback.url, { answer: callbackAnswer });

    // A canceled challenge, an answer on the ended page, bad credentials and a metrics scrape.
    const canceled = track(await askgate.createChallenge(sampleChallenge({ answer: hashedAnswer })));
    await askgate.api(`/v1/challenges/${canceled.id}`, { method: 'DELETE' });
    await submitAnswer(hashed.url, { answer: hashedAnswer }).catch(() => null);
    await fetch(`${askgate.apiUrl}/v1/challenges`, { headers: { authorization: `Bearer ${testApiKey}x` } });
    await fetch(`${askgate.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    await fetch(`${askgate.webUrl}/c/${pageTokens[0]}x`);
  });

  afterAll(async () => {
    await askgate.stop();
    validation.stop(true);
  });

  test('flow produced debug lines', () => {
    expect(askgate.logs.length).toBeGreaterThan(20);
    expect(askgate.logs.some((line) => JSON.parse(line).level === 'debug')).toBe(true);
    expect(challengeIds).toHaveLength(3);
    const passed = askgate.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'challenge passed');
    expect(passed.map((line) => line.challenge_id).sort()).toEqual(challengeIds.slice(0, 2).sort());
  });

  const secrets: [name: string, value: () => string][] = [
    ['hashed answer', () => hashedAnswer],
    ['wrong answer', () => wrongAnswer],
    ['callback answer', () => callbackAnswer],
    ['API key', () => testApiKey],
    ['server secret', () => testSecret],
    ['webhook secret', () => webhookSecret],
    ['webhook secret body', () => webhookSecret.slice('whsec_'.length)],
    ['metrics token', () => metricsToken],
  ];

  for (const [name, value] of secrets) {
    test(`no line contains the ${name}`, () => {
      const leaking = askgate.logs.filter((line) => line.includes(value()));
      expect(leaking).toEqual([]);
    });
  }

  test('no line contains a page token', () => {
    expect(pageTokens).toHaveLength(3);
    for (const token of pageTokens) {
      const leaking = askgate.logs.filter((line) => line.includes(token));
      expect(leaking).toEqual([]);
    }
  });

  test('request lines carry id, route, status, duration', () => {
    const requests = askgate.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
    expect(requests.length).toBeGreaterThan(10);
    for (const line of requests) {
      expect(line.request_id).toMatch(/^req_/);
      expect(typeof line.route).toBe('string');
      expect(typeof line.status).toBe('number');
      expect(typeof line.duration_ms).toBe('number');
      expect(['api', 'web']).toContain(line.listener);
    }
  });

  test('authenticated request lines carry tenant', () => {
    const requests = askgate.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request' && line.route.startsWith('/v1/'));
    const authenticated = requests.filter((line) => line.status !== 401);
    const rejected = requests.filter((line) => line.status === 401);

    expect(authenticated.length).toBeGreaterThan(3);
    for (const line of authenticated) expect(line.tenant).toBe('default');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].tenant).toBeUndefined();
  });

  test('service lines carry request id and tenant', () => {
    const created = askgate.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'challenge created');

    expect(created).toHaveLength(3);
    for (const line of created) {
      expect(line.request_id).toMatch(/^req_/);
      expect(line.tenant).toBe('default');
      expect(challengeIds).toContain(line.challenge_id);
    }
  });
});
