import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { createHmac } from 'node:crypto';
import { createWhatsappBot } from '../../examples/whatsapp-cloud-bot.ts';
import { returnLinkOf, startChatMock } from '../support/chat-mock.ts';
import { logsAbout, readChallengeOfPage, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

const appSecret = 'example-app-secret';
const customer = '5491122334455';
const businessPhone = '+15550001111';

describe('WhatsApp Cloud API example', () => {
  let askgate: Askgate;
  let graph: ReturnType<typeof startChatMock>;
  let bot: Server<undefined>;

  beforeAll(async () => {
    askgate = await startAskgate();
    graph = startChatMock(() => Response.json({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.test' }] }));
    const handler = createWhatsappBot({
      askgate: { apiUrl: askgate.apiUrl, apiKey: askgate.apiKey },
      graphUrl: `${graph.url}/v21.0`,
      accessToken: 'graph-token',
      phoneNumberId: '1234567890',
      businessPhone,
      appSecret,
      verifyToken: 'verify-me',
      lookupAnswer: (waId) => (waId === customer ? '1990-04-12' : null),
    });
    bot = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler.fetch });
  });

  afterAll(async () => {
    bot.stop(true);
    graph.stop();
    await askgate.stop();
  });

  /** Sends an incoming text the way Meta does, signed with the app secret unless `signature` is given. */
  function deliver(text: string, signature?: string): Promise<Response> {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '1234567890' }, messages: [{ from: customer, id: `wamid.${text.length}`, timestamp: '1700000000', type: 'text', text: { body: text } }] } }] }],
    });
    const signed = signature ?? 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex');
    return fetch(`http://127.0.0.1:${bot.port}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signed }, body });
  }

  function sentTexts(): string[] {
    return graph.requests.map((request) => (JSON.parse(request.body) as { text: { body: string } }).text.body);
  }

  test('answers the subscription check', async () => {
    const ok = await fetch(`http://127.0.0.1:${bot.port}/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=12345`);
    const wrong = await fetch(`http://127.0.0.1:${bot.port}/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345`);

    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('12345');
    expect(wrong.status).toBe(403);
  });

  test('rejects an unsigned webhook', async () => {
    const response = await deliver('transfer', 'sha256=' + '0'.repeat(64));

    expect(response.status).toBe(401);
    expect(graph.requests).toHaveLength(0);
  });

  test('verifies a customer end to end', async () => {
    expect((await deliver('I want to make a transfer')).status).toBe(200);
    expect(graph.requests).toHaveLength(1);
    const first = graph.requests[0];
    expect(first?.path).toBe('/v21.0/1234567890/messages');
    expect(first?.headers.get('authorization')).toBe('Bearer graph-token');
    expect(JSON.parse(first?.body ?? '{}').to).toBe(customer);
    const link = /(http:\/\/\S+\/c\/\S+)/.exec(sentTexts()[0] ?? '')?.[1] ?? '';
    expect(link).toStartWith(`${askgate.publicUrl}/c/`);

    expect((await deliver('hello?')).status).toBe(200);
    expect(sentTexts()[1]).toContain('answer the question on the page first');

    const page = await submitAnswer(link, { answer: '1990-04-12' });
    const deepLink = new URL(returnLinkOf(await page.text()));
    expect(deepLink.origin + deepLink.pathname).toBe('https://wa.me/15550001111');
    const returnText = deepLink.searchParams.get('text') ?? '';
    expect(returnText).toMatch(/^My verification code is [A-Z2-9]{7}$/);
    const passed = await readChallengeOfPage(askgate, link);
    expect(passed.status).toBe('passed');
    expect(passed.confirmed_at).toBeUndefined();
    // The message sent while the challenge was pending used no confirmation try.
    expect(logsAbout(askgate, 'return code mismatch', passed.id)).toHaveLength(0);

    expect((await deliver(returnText)).status).toBe(200);
    expect(sentTexts()[2]).toBe('Verified. Your transfer is on its way.');
    const confirmed = await readChallengeOfPage(askgate, link);
    expect(confirmed.confirmed_at).toBeString();
    expect(logsAbout(askgate, 'return code confirmed', passed.id)).toHaveLength(1);
  });

  test('accepts a retyped lower-case code', async () => {
    const before = graph.requests.length;
    await deliver('transfer');
    const link = /(http:\/\/\S+\/c\/\S+)/.exec(sentTexts()[before] ?? '')?.[1] ?? '';
    const page = await submitAnswer(link, { answer: '1990-04-12' });
    const returnText = new URL(returnLinkOf(await page.text())).searchParams.get('text') ?? '';
    const code = /[A-Z2-9]{7}$/.exec(returnText)?.[0] ?? '';
    expect(code).toHaveLength(7);

    await deliver(`my code is ${code.toLowerCase()}`);

    expect(sentTexts()[before + 1]).toBe('Verified. Your transfer is on its way.');
    expect((await readChallengeOfPage(askgate, link)).confirmed_at).toBeString();
  });

  test('rejects a wrong return code', async () => {
    const before = graph.requests.length;
    await deliver('transfer');
    const link = /(http:\/\/\S+\/c\/\S+)/.exec(sentTexts()[before] ?? '')?.[1] ?? '';
    await submitAnswer(link, { answer: '1990-04-12' });

    await deliver('My verification code is ABCDEFG');

    expect(sentTexts()[before + 1]).toContain('did not pass');
    const view = await readChallengeOfPage(askgate, link);
    expect(view.status).toBe('passed');
    expect(view.confirmed_at).toBeUndefined();
    expect(logsAbout(askgate, 'return code mismatch', view.id)).toHaveLength(1);
  });
});
