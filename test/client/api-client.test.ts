import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { AskgateApiError, AskgateClient, findReturnCode, verifyWebhook } from '../../src/client/index.ts';
import { startAskgate, submitAnswer, testApiKey, type Askgate } from '../support/harness.ts';
import { generateWebhookSecret, startReceiver, waitUntil, type Receiver } from '../support/receiver.ts';

const secret = generateWebhookSecret();
let receiver: Receiver;
let askgate: Askgate;
let client: AskgateClient;

beforeAll(async () => {
  receiver = startReceiver();
  askgate = await startAskgate({ ASKGATE_WEBHOOK_SECRET: secret, ASKGATE_WEBHOOK_URL: receiver.url('/ok') });
  client = new AskgateClient({ baseUrl: askgate.apiUrl, apiKey: testApiKey });
});

afterAll(async () => {
  await askgate.stop();
  receiver.stop();
});

async function errorOf(promise: Promise<unknown>): Promise<AskgateApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AskgateApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

function newChallenge(clientId: string) {
  return client.createChallenge({
    client_id: clientId,
    question: 'What is your date of birth?',
    answer: '1990-04-12',
    return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
  });
}

describe('AskgateClient', () => {
  test('runs the bot flow end to end', async () => {
    const created = await newChallenge('client-flow');
    expect(created.status).toBe('pending');
    const page = await submitAnswer(created.url, { answer: '1990-04-12' });
    const anchor = /<a\b[^>]*\bid="return-link"[^>]*>/.exec(await page.text())?.[0] ?? '';
    const deepLink = (/\bhref="([^"]*)"/.exec(anchor)?.[1] ?? '').replaceAll('&amp;', '&');
    const chatText = new URL(deepLink).searchParams.get('text') ?? '';
    expect(chatText).toStartWith('Back from verification ');

    const code = findReturnCode(chatText);
    expect(code).not.toBeNull();
    const view = await client.getChallenge(created.id);
    expect(view.status).toBe('passed');
    expect(view.return_code).toBe(code as string);
    const confirmed = await client.confirm(created.id, (code as string).toLowerCase());
    expect(confirmed.confirmed).toBe(true);
    expect(confirmed.challenge.confirmed_at).toBeDefined();

    await waitUntil(() => receiver.forChallenge(created.id).length > 0, 3000, 'the passed event');
    const request = receiver.forChallenge(created.id)[0]!;
    const event = verifyWebhook(request.headers, request.body, secret);
    expect(event.data.return_code).toBe(code as string);
  }, 15_000);

  test('cancels and lists events', async () => {
    const created = await newChallenge('client-cancel');
    const canceled = await client.cancelChallenge(created.id);
    expect(canceled.status).toBe('canceled');

    const events = await client.listEvents({ challengeId: created.id, limit: 5 });
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('challenge.canceled');
    const event = await client.getEvent(events[0]!.id);
    expect(event.payload.data.id).toBe(created.id);
  });

  test('redelivers an event', async () => {
    const created = await newChallenge('client-redeliver');
    await client.cancelChallenge(created.id);
    await waitUntil(async () => (await client.listEvents({ challengeId: created.id }))[0]?.status === 'delivered', 3000, 'delivery');
    const [event] = await client.listEvents({ challengeId: created.id, status: 'delivered' });

    const redelivered = await client.redeliver(event!.id);
    expect(redelivered.id).toBe(event!.id);
    expect(redelivered.status).toBe('pending');
    await waitUntil(() => receiver.forChallenge(created.id).length === 2, 3000, 'the second delivery');
  }, 15_000);

  test('throws problem on error', async () => {
    const created = await newChallenge('client-error');
    const error = await errorOf(client.confirm(created.id, 'ABCDEFG'));

    expect(error.status).toBe(409);
    expect(error.code).toBe('challenge_not_passed');
    expect(error.problem?.request_id).toMatch(/^req_/);
    expect(error.message).toStartWith('challenge_not_passed: ');
  });

  test('throws on unknown id', async () => {
    const error = await errorOf(client.getChallenge('chl_unknown'));

    expect(error.status).toBe(404);
    expect(error.code).toBe('not_found');
  });

  test('throws unauthorized for a wrong key', async () => {
    const stranger = new AskgateClient({ baseUrl: askgate.apiUrl, apiKey: 'ak_wrong_' + 'x'.repeat(30) });
    const error = await errorOf(stranger.listEvents());

    expect(error.status).toBe(401);
    expect(error.code).toBe('unauthorized');
  });

  test('idempotency key returns the same challenge', async () => {
    const body = { client_id: 'client-idem', question: 'Q?', answer: 'A', return: { channel: 'whatsapp' as const, phone: '+5491122334455' } };
    const first = await client.createChallenge(body, { idempotencyKey: 'idem-client-1' });
    const second = await client.createChallenge(body, { idempotencyKey: 'idem-client-1' });

    expect(second.id).toBe(first.id);
  });
});
