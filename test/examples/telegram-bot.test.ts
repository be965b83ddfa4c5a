import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { createTelegramBot } from '../../examples/telegram-bot.ts';
import { returnLinkOf, startChatMock } from '../support/chat-mock.ts';
import { logsAbout, readChallengeOfPage, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

const botToken = '123456:TEST-token';
const webhookSecret = 'telegram-webhook-secret';
const userId = 111222333;

describe('Telegram example', () => {
  let askgate: Askgate;
  let telegram: ReturnType<typeof startChatMock>;
  let bot: Server<undefined>;
  let updateId = 0;

  beforeAll(async () => {
    askgate = await startAskgate();
    telegram = startChatMock(() => Response.json({ ok: true, result: { message_id: 1 } }));
    const handler = createTelegramBot({
      askgate: { apiUrl: askgate.apiUrl, apiKey: askgate.apiKey },
      telegramUrl: telegram.url,
      botToken,
      botUsername: 'acme_bank_bot',
      webhookSecret,
      lookupAnswer: (id) => (id === userId ? '4242' : null),
    });
    bot = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler.fetch });
  });

  afterAll(async () => {
    bot.stop(true);
    telegram.stop();
    await askgate.stop();
  });

  /** Posts an update the way Telegram's webhook does. */
  function deliver(text: string, secret = webhookSecret): Promise<Response> {
    updateId += 1;
    return fetch(`http://127.0.0.1:${bot.port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify({ update_id: updateId, message: { message_id: updateId, from: { id: userId, is_bot: false, first_name: 'Ana' }, chat: { id: userId, type: 'private' }, date: 1700000000, text } }),
    });
  }

  function sentTexts(): string[] {
    return telegram.requests.map((request) => (JSON.parse(request.body) as { text: string }).text);
  }

  test('rejects a wrong secret token', async () => {
    const response = await deliver('/unblock', 'not-the-secret-token-x');

    expect(response.status).toBe(401);
    expect(telegram.requests).toHaveLength(0);
  });

  test('verifies a user end to end', async () => {
    expect((await deliver('/unblock')).status).toBe(200);
    expect(telegram.requests).toHaveLength(1);
    expect(telegram.requests[0]?.path).toBe(`/bot${botToken}/sendMessage`);
    expect(JSON.parse(telegram.requests[0]?.body ?? '{}').chat_id).toBe(userId);
    const link = /(http:\/\/\S+\/c\/\S+)/.exec(sentTexts()[0] ?? '')?.[1] ?? '';
    expect(link).toStartWith(`${askgate.publicUrl}/c/`);

    const wrong = await submitAnswer(link, { answer: '0000' });
    expect(await wrong.text()).not.toContain('id="return-link"');
    const page = await submitAnswer(link, { answer: '4242' });
    const deepLink = new URL(returnLinkOf(await page.text()));
    expect(deepLink.origin + deepLink.pathname).toBe('https://t.me/acme_bank_bot');
    const code = deepLink.searchParams.get('start') ?? '';
    expect(code).toMatch(/^[A-Z2-9]{7}$/);

    expect((await readChallengeOfPage(askgate, link)).confirmed_at).toBeUndefined();

    // Opening the t.me link makes Telegram send "/start <payload>" from the user.
    expect((await deliver(`/start ${code}`)).status).toBe(200);
    expect(sentTexts()[1]).toBe('Verified. Your card is unblocked.');
    const confirmed = await readChallengeOfPage(askgate, link);
    expect(confirmed.confirmed_at).toBeString();
    expect(logsAbout(askgate, 'return code confirmed', confirmed.id)).toHaveLength(1);
  });
});
