import type { RedisClient } from 'bun';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { spawnAskgate, type ChildAskgate } from '../support/child-askgate.ts';
import { csrfFrom, sampleChallenge } from '../support/harness.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';
import { generateWebhookSecret, startReceiver, waitUntil, type ReceivedRequest, type Receiver } from '../support/receiver.ts';

// Two askgate processes behind one public URL share a Redis database. Each runs its own webhook
// worker and expiry poller, so every event could be sent twice if leasing were not atomic. The
// receiver replies after a second, so that the other worker polls while a delivery is in flight.
const rightAnswer = '1990-04-12';
/** Both workers poll every 300 ms, so this gives each about ten chances to send a duplicate. */
const duplicateWindowMs = 3000;

/** Replaces the origin of a page URL with `webUrl`, as if a load balancer had picked that instance. */
function throughInstance(pageUrl: string, webUrl: string): string {
  const url = new URL(pageUrl);
  return webUrl + url.pathname;
}

function verifiedEvent(secret: string, request: ReceivedRequest): { type: string; data: { id: string; status: string } } {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': request.headers.get('webhook-id') ?? '',
    'webhook-timestamp': request.headers.get('webhook-timestamp') ?? '',
    'webhook-signature': request.headers.get('webhook-signature') ?? '',
  }) as { type: string; data: { id: string; status: string } };
}

/** Log lines of both children that report a delivery of `eventId`. */
function deliveryLogLines(instances: ChildAskgate[], eventId: string): string[] {
  return instances.flatMap((instance) =>
    instance
      .logs()
      .split('\n')
      .filter((line) => line.includes('"event delivered"') && line.includes(eventId)),
  );
}

describe('two askgate processes on one Redis', () => {
  const prefix = uniquePrefix();
  const webhookSecret = generateWebhookSecret();
  let admin: RedisClient;
  let receiver: Receiver;
  let first: ChildAskgate;
  let second: ChildAskgate;

  beforeAll(async () => {
    admin = await connectLocalRedis();
    receiver = startReceiver({ slowMs: 1000 });
    const env = {
      ASKGATE_STORE: localRedisUrl,
      ASKGATE_REDIS_PREFIX: prefix,
      ASKGATE_WEBHOOK_URL: receiver.url('/slow'),
      ASKGATE_WEBHOOK_SECRET: webhookSecret,
    };
    first = await spawnAskgate(env);
    // Links from either instance point at the first one's page, as behind one public host name.
    second = await spawnAskgate({ ...env, ASKGATE_PUBLIC_URL: first.webUrl });
  });

  afterAll(async () => {
    await first?.kill('SIGKILL');
    await second?.kill('SIGKILL');
    receiver?.stop();
    if (admin !== undefined) {
      await deleteKeys(admin, prefix);
      admin.close();
    }
  });

  test('instances listen apart', () => {
    expect(second.pid).not.toBe(first.pid);
    expect(second.webUrl).not.toBe(first.webUrl);
    expect(second.apiUrl).not.toBe(first.apiUrl);
  });

  test('second instance passes challenge once', async () => {
    const createResponse = await first.api('/v1/challenges', { body: sampleChallenge({ answer: rightAnswer }) });
    expect(createResponse.status).toBe(201);
    const created = (await createResponse.json()) as { id: string; url: string };
    expect(created.url).toStartWith(first.webUrl + '/c/');

    const pageUrl = throughInstance(created.url, second.webUrl);
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    const csrf = csrfFrom(await page.text());
    const submitted = await fetch(pageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, answer: rightAnswer }).toString(),
    });
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toContain('id="return-link"');

    const seenByFirst = (await (await first.api(`/v1/challenges/${created.id}`)).json()) as { status: string; return_code?: string };
    expect(seenByFirst.status).toBe('passed');
    expect(seenByFirst.return_code).toMatch(/^[A-Z0-9]+$/);

    await waitUntil(() => receiver.forChallenge(created.id).length >= 1, 5000, `the challenge.passed event of ${created.id}`);
    await Bun.sleep(duplicateWindowMs);

    const deliveries = receiver.forChallenge(created.id);
    expect(deliveries.length).toBe(1);
    const delivered = deliveries[0] as ReceivedRequest;
    const event = verifiedEvent(webhookSecret, delivered);
    expect(event.type).toBe('challenge.passed');
    expect(event.data.id).toBe(created.id);

    const eventsResponse = await second.api(`/v1/events?challenge_id=${created.id}`);
    const events = ((await eventsResponse.json()) as { data: { id: string; type: string; status: string }[] }).data;
    expect(events.length).toBe(1);
    expect(events[0]?.status).toBe('delivered');
    expect(delivered.headers.get('webhook-id')).toBe(events[0]?.id ?? 'no event');
    expect(deliveryLogLines([first, second], events[0]?.id ?? 'no event').length).toBe(1);
  });

  test('expiry emits one event', async () => {
    const createResponse = await second.api('/v1/challenges', { body: sampleChallenge({ expires_in: 10 }) });
    expect(createResponse.status).toBe(201);
    const created = (await createResponse.json()) as { id: string; expires_at: string };

    // Either poller may expire it up to about a second after expires_at. The worker then sends the event at once.
    const expectedBy = Date.parse(created.expires_at) - Date.now() + 5000;
    await waitUntil(() => receiver.forChallenge(created.id).length >= 1, expectedBy, `the challenge.expired event of ${created.id}`);
    await Bun.sleep(duplicateWindowMs);

    const deliveries = receiver.forChallenge(created.id);
    expect(deliveries.length).toBe(1);
    const event = verifiedEvent(webhookSecret, deliveries[0] as ReceivedRequest);
    expect(event.type).toBe('challenge.expired');
    expect(event.data.status).toBe('expired');

    for (const instance of [first, second]) {
      const challenge = (await (await instance.api(`/v1/challenges/${created.id}`)).json()) as { status: string };
      expect(challenge.status).toBe('expired');
    }
    const eventsResponse = await first.api(`/v1/events?challenge_id=${created.id}`);
    const events = ((await eventsResponse.json()) as { data: { id: string; type: string }[] }).data;
    expect(events.map((stored) => stored.type)).toEqual(['challenge.expired']);
    expect(deliveryLogLines([first, second], events[0]?.id ?? 'no event').length).toBe(1);
  }, 30_000);
});
