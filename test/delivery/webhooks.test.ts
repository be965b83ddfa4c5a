import { afterAll, beforeAll, describe, expect, setSystemTime, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';
import { generateWebhookSecret, startReceiver, waitUntil, type ReceivedRequest, type Receiver } from '../support/receiver.ts';

/** An expected answer that no event body may contain. */
const canary = 'CANARY-ANSWER-5521';

function signatureHeaders(request: ReceivedRequest): Record<string, string> {
  return {
    'webhook-id': request.headers.get('webhook-id') ?? '',
    'webhook-timestamp': request.headers.get('webhook-timestamp') ?? '',
    'webhook-signature': request.headers.get('webhook-signature') ?? '',
  };
}

/** Creates a challenge with the canary answer, answers it right on the page and returns it. */
async function passChallenge(askgate: Askgate, overrides: Record<string, unknown> = {}) {
  const created = await askgate.createChallenge(sampleChallenge({ answer: canary, ...overrides }));
  const page = await submitAnswer(created.url, { answer: canary });
  expect(page.status).toBe(200);
  return created;
}

async function eventsOf(askgate: Askgate, challengeId: string) {
  const response = await askgate.api(`/v1/events?challenge_id=${challengeId}`);
  expect(response.status).toBe(200);
  return (await response.json()).data as any[];
}

async function waitForDeliveries(receiver: Receiver, challengeId: string, count: number, timeoutMs = 5000): Promise<ReceivedRequest[]> {
  await waitUntil(() => receiver.forChallenge(challengeId).length >= count, timeoutMs, `${count} deliveries of ${challengeId}`);
  return receiver.forChallenge(challengeId);
}

async function waitForEventStatus(askgate: Askgate, challengeId: string, status: string, timeoutMs: number) {
  await waitUntil(async () => (await eventsOf(askgate, challengeId))[0]?.status === status, timeoutMs, `event of ${challengeId} to be ${status}`);
  return (await eventsOf(askgate, challengeId))[0];
}

describe('webhook signatures', () => {
  const secret = generateWebhookSecret();
  let receiver: Receiver;
  let askgate: Askgate;

  beforeAll(async () => {
    receiver = startReceiver();
    askgate = await startAskgate({ ASKGATE_WEBHOOK_SECRET: secret, ASKGATE_WEBHOOK_URL: receiver.url('/ok') });
  });

  afterAll(async () => {
    await askgate.stop();
    receiver.stop();
  });

  test('delivered event verifies', async () => {
    const created = await passChallenge(askgate);
    const [request] = await waitForDeliveries(receiver, created.id, 1);
    const delivered = request as ReceivedRequest;

    expect(delivered.headers.get('content-type')).toStartWith('application/json');
    expect(delivered.headers.get('webhook-signature')).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const event = new Webhook(secret).verify(delivered.body, signatureHeaders(delivered)) as any;
    expect(event.type).toBe('challenge.passed');
    expect(event.data.id).toBe(created.id);
    const [stored] = await eventsOf(askgate, created.id);
    expect(delivered.headers.get('webhook-id')).toBe(stored.id);
  });

  test('tampered body fails', async () => {
    const created = await passChallenge(askgate);
    const [request] = await waitForDeliveries(receiver, created.id, 1);
    const delivered = request as ReceivedRequest;
    const tampered = delivered.body.replace('"challenge.passed"', '"challenge.failed"');

    expect(tampered).not.toBe(delivered.body);
    expect(() => new Webhook(secret).verify(tampered, signatureHeaders(delivered))).toThrow('No matching signature found');
  });

  test('stale timestamp fails', async () => {
    const created = await passChallenge(askgate);
    const [request] = await waitForDeliveries(receiver, created.id, 1);
    const delivered = request as ReceivedRequest;

    expect(() => new Webhook(secret).verify(delivered.body, signatureHeaders(delivered))).not.toThrow();
    // The library reads the clock itself, so the clock is moved six minutes ahead for one check.
    setSystemTime(new Date(Date.now() + 6 * 60 * 1000));
    try {
      expect(() => new Webhook(secret).verify(delivered.body, signatureHeaders(delivered))).toThrow('Message timestamp too old');
    } finally {
      setSystemTime();
    }
  });

  test('other secret fails', async () => {
    const created = await passChallenge(askgate);
    const [request] = await waitForDeliveries(receiver, created.id, 1);

    expect(() => new Webhook(generateWebhookSecret()).verify((request as ReceivedRequest).body, signatureHeaders(request as ReceivedRequest))).toThrow();
  });
});

describe('webhook secret rotation', () => {
  const oldSecret = generateWebhookSecret();
  const newSecret = generateWebhookSecret();
  let receiver: Receiver;

  beforeAll(() => {
    receiver = startReceiver();
  });

  afterAll(() => {
    receiver.stop();
  });

  async function startRotating(untilMs: number): Promise<Askgate> {
    return startAskgate({
      ASKGATE_WEBHOOK_SECRET: newSecret,
      ASKGATE_WEBHOOK_SECRET_PREVIOUS: oldSecret,
      ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: new Date(untilMs).toISOString(),
      ASKGATE_WEBHOOK_URL: receiver.url('/ok'),
      ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1',
    });
  }

  test('both secrets verify during window', async () => {
    const askgate = await startRotating(Date.now() + 3600_000);
    try {
      const created = await passChallenge(askgate);
      const [request] = await waitForDeliveries(receiver, created.id, 1);
      const delivered = request as ReceivedRequest;

      expect((delivered.headers.get('webhook-signature') ?? '').split(' ')).toHaveLength(2);
      expect((new Webhook(newSecret).verify(delivered.body, signatureHeaders(delivered)) as any).data.id).toBe(created.id);
      expect((new Webhook(oldSecret).verify(delivered.body, signatureHeaders(delivered)) as any).data.id).toBe(created.id);
    } finally {
      await askgate.stop();
    }
  });

  test('only new secret verifies after window', async () => {
    const askgate = await startRotating(Date.now() - 60_000);
    try {
      const created = await passChallenge(askgate);
      const [request] = await waitForDeliveries(receiver, created.id, 1);
      const delivered = request as ReceivedRequest;

      expect((delivered.headers.get('webhook-signature') ?? '').split(' ')).toHaveLength(1);
      expect((new Webhook(newSecret).verify(delivered.body, signatureHeaders(delivered)) as any).data.id).toBe(created.id);
      expect(() => new Webhook(oldSecret).verify(delivered.body, signatureHeaders(delivered))).toThrow('No matching signature found');
    } finally {
      await askgate.stop();
    }
  });

  test('validation calls use the same secrets', async () => {
    const askgate = await startRotating(Date.now() + 3600_000);
    try {
      const body = sampleChallenge({ validation_url: receiver.url('/valid') });
      delete body.answer;
      const created = await askgate.createChallenge(body);
      const page = await submitAnswer(created.url, { answer: 'anything' });
      expect(page.status).toBe(200);

      const request = receiver.received('/valid').find((item) => item.body.includes(created.id)) as ReceivedRequest;
      expect(request).toBeDefined();
      expect((new Webhook(newSecret).verify(request.body, signatureHeaders(request)) as any).challenge_id).toBe(created.id);
      expect((new Webhook(oldSecret).verify(request.body, signatureHeaders(request)) as any).challenge_id).toBe(created.id);
    } finally {
      await askgate.stop();
    }
  });
});

describe('webhook retries', () => {
  let receiver: Receiver;
  let askgate: Askgate;

  beforeAll(async () => {
    receiver = startReceiver({ flakyFailures: 2 });
    askgate = await startAskgate({
      ASKGATE_WEBHOOK_URL_HOSTS: '127.0.0.1',
      ASKGATE_WEBHOOK_RETRY_SCHEDULE: '1,1,1',
      ASKGATE_WEBHOOK_TIMEOUT_MS: '300',
      ASKGATE_SHUTDOWN_GRACE_MS: '100',
    });
  });

  afterAll(async () => {
    receiver.stop();
    await askgate.stop();
  });

  test('flaky receiver gets one success', async () => {
    const created = await passChallenge(askgate, { webhook_url: receiver.url('/flaky') });
    const event = await waitForEventStatus(askgate, created.id, 'delivered', 8000);
    const requests = receiver.forChallenge(created.id);

    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers.get('webhook-id')))).toEqual(new Set([event.id]));
    expect(requests.map((request) => request.body)).toEqual([requests[0]!.body, requests[0]!.body, requests[0]!.body]);
    expect(event.attempts.map((attempt: any) => attempt.status)).toEqual([500, 500, 200]);
    expect(event.attempts.map((attempt: any) => attempt.error)).toEqual(['status 500', 'status 500', null]);
    expect(event.next_attempt_at).toBeNull();
    // The second and third tries follow the 1-second schedule, varied by at most 20%.
    const gapMs = Date.parse(event.attempts[1].at) - Date.parse(event.attempts[0].at);
    expect(gapMs).toBeGreaterThanOrEqual(750);
    expect(gapMs).toBeLessThan(2000);
  }, 30_000);

  test('timestamp is fresh on every try', async () => {
    const created = await passChallenge(askgate, { webhook_url: receiver.url('/flaky') });
    await waitForEventStatus(askgate, created.id, 'delivered', 8000);

    for (const request of receiver.forChallenge(created.id)) {
      const signedAtMs = Number(request.headers.get('webhook-timestamp')) * 1000;
      expect(Math.abs(request.receivedAt - signedAtMs)).toBeLessThan(1500);
    }
  }, 30_000);

  test('hanging receiver ends dead without blocking others', async () => {
    const hanging = await passChallenge(askgate, { webhook_url: receiver.url('/hang') });
    await waitForDeliveries(receiver, hanging.id, 1);
    const healthy = await passChallenge(askgate, { webhook_url: receiver.url('/ok') });
    await waitForDeliveries(receiver, healthy.id, 1, 2000);

    // The healthy event went out while the first hanging try was still waiting for its timeout.
    expect((await eventsOf(askgate, hanging.id))[0].attempts).toHaveLength(0);
    const gapMs = receiver.forChallenge(healthy.id)[0]!.receivedAt - receiver.forChallenge(hanging.id)[0]!.receivedAt;
    expect(gapMs).toBeLessThan(300);
    await waitForEventStatus(askgate, healthy.id, 'delivered', 1000);

    const dead = await waitForEventStatus(askgate, hanging.id, 'dead', 10_000);
    expect(dead.attempts).toHaveLength(4);
    for (const attempt of dead.attempts) {
      expect(attempt.status).toBeNull();
      expect(attempt.error).toBe('timed out after 300 ms');
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(250);
    }
    expect(dead.next_attempt_at).toBeNull();
  }, 30_000);

  test('dead event is logged with ids', async () => {
    const created = await passChallenge(askgate, { webhook_url: receiver.url('/hang') });
    const dead = await waitForEventStatus(askgate, created.id, 'dead', 10_000);
    const lines = askgate.logs.map((line) => JSON.parse(line)).filter((line) => line.event_id === dead.id);

    const failed = lines.filter((line) => line.msg.startsWith('event delivery failed'));
    expect(failed).toHaveLength(4);
    const deadLines = lines.filter((line) => line.msg.startsWith('event dead'));
    expect(deadLines).toHaveLength(1);
    expect(deadLines[0].challenge_id).toBe(created.id);
    expect(deadLines[0].tenant).toBe('default');
    expect(askgate.logs.some((line) => line.includes(canary))).toBe(false);
    expect(askgate.logs.some((line) => line.includes('"data":{'))).toBe(false);
  }, 30_000);

  test('redirect counts as failure', async () => {
    const created = await passChallenge(askgate, { webhook_url: receiver.url('/redirect') });
    await waitUntil(async () => ((await eventsOf(askgate, created.id))[0]?.attempts.length ?? 0) >= 1, 3000, 'first try');
    const [event] = await eventsOf(askgate, created.id);

    expect(event.attempts[0].status).toBe(302);
    expect(event.attempts[0].error).toContain('redirect');
    expect(receiver.received('/ok').some((request) => request.body.includes(created.id))).toBe(false);
  });
});

describe('terminal state events', () => {
  let receiver: Receiver;
  let askgate: Askgate;

  beforeAll(async () => {
    receiver = startReceiver();
    askgate = await startAskgate({ ASKGATE_WEBHOOK_URL: receiver.url('/ok') });
  });

  afterAll(async () => {
    await askgate.stop();
    receiver.stop();
  });

  /** Waits for the first delivery, then long enough for a duplicate to show, and returns them all. */
  async function deliveredEvents(challengeId: string, timeoutMs = 5000) {
    await waitForDeliveries(receiver, challengeId, 1, timeoutMs);
    await Bun.sleep(800);
    return receiver.forChallenge(challengeId).map((request) => ({ request, event: JSON.parse(request.body) }));
  }

  function expectNoSecrets(request: ReceivedRequest, pageUrl: string) {
    const token = new URL(pageUrl).pathname.replace('/c/', '');
    expect(request.body).not.toContain(canary);
    expect(request.body).not.toContain(token);
    expect(request.body).not.toContain('answer');
  }

  test('passed emits one event with code', async () => {
    const created = await passChallenge(askgate);
    const deliveries = await deliveredEvents(created.id);

    expect(deliveries).toHaveLength(1);
    const { request, event } = deliveries[0]!;
    expect(event.type).toBe('challenge.passed');
    expect(event.data.status).toBe('passed');
    const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(event.data.return_code).toBe(view.return_code);
    expect(event.data.return_code).toMatch(/^[A-HJKMNP-Z2-9]{7}$/);
    expectNoSecrets(request, created.url);
    expect(await eventsOf(askgate, created.id)).toHaveLength(1);
  });

  test('failed emits one event', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ answer: canary, max_attempts: 1 }));
    const page = await submitAnswer(created.url, { answer: 'wrong answer' });
    expect(page.status).toBeLessThan(500);
    const deliveries = await deliveredEvents(created.id);

    expect(deliveries).toHaveLength(1);
    const { request, event } = deliveries[0]!;
    expect(event.type).toBe('challenge.failed');
    expect(event.data.status).toBe('failed');
    expect(event.data.attempts).toBe(1);
    expect('return_code' in event.data).toBe(false);
    expectNoSecrets(request, created.url);
  });

  test('canceled emits one event', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ answer: canary }));
    const response = await askgate.api(`/v1/challenges/${created.id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    const deliveries = await deliveredEvents(created.id);

    expect(deliveries).toHaveLength(1);
    const { request, event } = deliveries[0]!;
    expect(event.type).toBe('challenge.canceled');
    expect(event.data.status).toBe('canceled');
    expect('return_code' in event.data).toBe(false);
    expectNoSecrets(request, created.url);
  });

  test('expired emits one event', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ answer: canary, expires_in: 10 }));
    const deliveries = await deliveredEvents(created.id, 15_000);

    expect(deliveries).toHaveLength(1);
    const { request, event } = deliveries[0]!;
    expect(event.type).toBe('challenge.expired');
    expect(event.data.status).toBe('expired');
    expect('return_code' in event.data).toBe(false);
    expect(event.data.completed_at).toBe(created.expires_at);
    expectNoSecrets(request, created.url);
  }, 30_000);
});

describe('delivery and the customer page', () => {
  let receiver: Receiver;
  let askgate: Askgate;

  beforeAll(async () => {
    receiver = startReceiver();
    askgate = await startAskgate({ ASKGATE_WEBHOOK_URL: receiver.url('/hang'), ASKGATE_WEBHOOK_TIMEOUT_MS: '5000', ASKGATE_SHUTDOWN_GRACE_MS: '100' });
  });

  afterAll(async () => {
    receiver.stop();
    await askgate.stop();
  });

  test('page answers while receiver hangs', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ answer: canary }));
    const page = await fetch(created.url);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const started = performance.now();
    const response = await fetch(created.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, answer: canary }).toString(),
    });
    const elapsedMs = performance.now() - started;

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="return-link"');
    expect(elapsedMs).toBeLessThan(1000);
    await waitForDeliveries(receiver, created.id, 1, 2000);
    expect(receiver.forChallenge(created.id)[0]!.answeredAt).toBeNull();
  });
});

describe('events API', () => {
  let receiver: Receiver;
  let askgate: Askgate;

  beforeAll(async () => {
    receiver = startReceiver();
    askgate = await startAskgate({ ASKGATE_WEBHOOK_URL_HOSTS: '127.0.0.1', ASKGATE_WEBHOOK_RETRY_SCHEDULE: '1', ASKGATE_WEBHOOK_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    await askgate.stop();
    receiver.stop();
  });

  test('list filters by challenge and status', async () => {
    const delivered = await passChallenge(askgate, { webhook_url: receiver.url('/ok') });
    const dead = await passChallenge(askgate, { webhook_url: receiver.url('/missing') });
    await waitForEventStatus(askgate, delivered.id, 'delivered', 3000);
    await waitForEventStatus(askgate, dead.id, 'dead', 5000);

    const byStatus = (await (await askgate.api('/v1/events?status=dead')).json()).data;
    expect(byStatus.map((event: any) => event.challenge_id)).toContain(dead.id);
    expect(byStatus.every((event: any) => event.status === 'dead')).toBe(true);
    const byChallenge = await eventsOf(askgate, delivered.id);
    expect(byChallenge).toHaveLength(1);
    expect(byChallenge[0].challenge_id).toBe(delivered.id);
    expect(byChallenge[0].payload.data.id).toBe(delivered.id);
    const deadEvent = (await eventsOf(askgate, dead.id))[0];
    expect(deadEvent.attempts.map((attempt: any) => attempt.status)).toEqual([404, 404]);
  }, 30_000);

  test('list is newest first and limited', async () => {
    const first = await passChallenge(askgate);
    await Bun.sleep(5);
    const second = await passChallenge(askgate);

    const all = (await (await askgate.api('/v1/events?limit=100')).json()).data;
    const firstIndex = all.findIndex((event: any) => event.challenge_id === first.id);
    const secondIndex = all.findIndex((event: any) => event.challenge_id === second.id);
    expect(secondIndex).toBeGreaterThanOrEqual(0);
    expect(secondIndex).toBeLessThan(firstIndex);
    const limited = (await (await askgate.api('/v1/events?limit=1')).json()).data;
    expect(limited).toHaveLength(1);
    expect(limited[0].challenge_id).toBe(second.id);
  });

  test('invalid query names the field', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['status=lost', 'status'],
      ['challenge_id=', 'challenge_id'],
    ];
    for (const [query, field] of cases) {
      const response = await askgate.api(`/v1/events?${query}`);
      expect(response.status).toBe(400);
      const problem = await response.json();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors.map((error: any) => error.field)).toEqual([field]);
    }
  });

  test('get returns one event', async () => {
    const created = await passChallenge(askgate);
    const [listed] = await eventsOf(askgate, created.id);
    const response = await askgate.api(`/v1/events/${listed.id}`);

    expect(response.status).toBe(200);
    const event = await response.json();
    expect(event.id).toBe(listed.id);
    expect(event.type).toBe('challenge.passed');
    expect(event.status).toBe('no_endpoint');
    expect(event.payload.data.return_code).toMatch(/^[A-HJKMNP-Z2-9]{7}$/);
  });

  test('unknown event is 404', async () => {
    const get = await askgate.api('/v1/events/evt_doesNotExist');
    expect(get.status).toBe(404);
    expect((await get.json()).code).toBe('not_found');
    const redeliver = await askgate.api('/v1/events/evt_doesNotExist/redeliver', { method: 'POST' });
    expect(redeliver.status).toBe(404);
  });

  test('redeliver sends again with same id', async () => {
    const created = await passChallenge(askgate, { webhook_url: receiver.url('/ok') });
    const delivered = await waitForEventStatus(askgate, created.id, 'delivered', 3000);
    const response = await askgate.api(`/v1/events/${delivered.id}/redeliver`, { method: 'POST' });

    expect(response.status).toBe(202);
    const scheduled = await response.json();
    expect(scheduled.id).toBe(delivered.id);
    expect(scheduled.status).toBe('pending');
    const requests = await waitForDeliveries(receiver, created.id, 2, 2000);
    expect(requests.map((request) => request.headers.get('webhook-id'))).toEqual([delivered.id, delivered.id]);
    const after = await waitForEventStatus(askgate, created.id, 'delivered', 2000);
    expect(after.attempts).toHaveLength(2);
  }, 30_000);

  test('redeliver without endpoint is 409', async () => {
    const created = await passChallenge(askgate);
    const [event] = await eventsOf(askgate, created.id);
    const response = await askgate.api(`/v1/events/${event.id}/redeliver`, { method: 'POST' });

    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toStartWith('application/problem+json');
    expect((await response.json()).code).toBe('no_endpoint');
  });

  test('webhook_url host must be allowed', async () => {
    const response = await askgate.api('/v1/challenges', { body: sampleChallenge({ webhook_url: 'https://elsewhere.example.com/hook' }) });

    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.errors.map((error: any) => error.field)).toEqual(['webhook_url']);
  });
});

describe('webhook_url without allow-list', () => {
  test('is rejected naming the field', async () => {
    const askgate = await startAskgate({});
    try {
      const cases = ['http://127.0.0.1:9/hook', 'ftp://127.0.0.1/hook', 'x'.repeat(2049)];
      for (const webhookUrl of cases) {
        const response = await askgate.api('/v1/challenges', { body: sampleChallenge({ webhook_url: webhookUrl }) });
        expect(response.status).toBe(400);
        const problem = await response.json();
        expect(problem.errors.map((error: any) => error.field)).toEqual(['webhook_url']);
      }
    } finally {
      await askgate.stop();
    }
  });
});
