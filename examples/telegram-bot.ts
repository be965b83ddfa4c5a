/**
 * A Telegram bot that requests a known-question check from askgate.
 *
 *   ASKGATE_API_URL=http://127.0.0.1:8000 ASKGATE_API_KEY=ak_… TELEGRAM_BOT_TOKEN=123:ABC… \
 *   TELEGRAM_BOT_USERNAME=acme_bank_bot TELEGRAM_WEBHOOK_SECRET=… bun examples/telegram-bot.ts
 *
 * Telegram POSTs updates to the webhook (set with setWebhook and a secret_token, which comes back
 * in X-Telegram-Bot-Api-Secret-Token). After the check, askgate's page links to
 * https://t.me/<bot>?start=<return code>, so the customer's next message is "/start <code>".
 */
import { timingSafeEqual } from 'node:crypto';
import { checkReturn, createAskgateClient, type AskgateClientOptions } from './askgate-client.ts';

export interface TelegramBotOptions {
  askgate: AskgateClientOptions;
  /** Bot API base, https://api.telegram.org in production. */
  telegramUrl: string;
  botToken: string;
  /** The bot's username without @: the deep link back to the chat uses it. */
  botUsername: string;
  webhookSecret: string;
  /** Returns the expected answer for a Telegram user id, or null when unknown. */
  lookupAnswer: (userId: number) => string | null;
}

interface Update {
  update_id: number;
  message?: { message_id: number; from?: { id: number }; chat: { id: number }; text?: string };
}

export function createTelegramBot(options: TelegramBotOptions) {
  const askgate = createAskgateClient(options.askgate);
  const pending = new Map<number, string>();

  async function send(chatId: number, text: string): Promise<void> {
    const response = await fetch(`${options.telegramUrl}/bot${options.botToken}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text }),
    });
    if (!response.ok) throw new Error(`Telegram returned ${response.status}`);
  }

  async function handle(userId: number, chatId: number, text: string): Promise<void> {
    const challengeId = pending.get(userId);
    if (challengeId !== undefined) {
      const result = await checkReturn(askgate, challengeId, text);
      if (result === 'pending') return send(chatId, 'Please answer the question on the page first.');
      pending.delete(userId);
      return send(chatId, result === 'verified' ? 'Verified. Your card is unblocked.' : 'The check did not pass. Send /unblock to start again.');
    }

    if (text.trim() !== '/unblock') return send(chatId, 'Send /unblock to unblock your card.');
    const answer = options.lookupAnswer(userId);
    if (answer === null) return send(chatId, 'We could not find your account.');

    const created = await askgate.createChallenge(
      {
        client_id: `tg-${userId}`,
        question: 'What are the last four digits of your card?',
        answer,
        return: { channel: 'telegram', bot: options.botUsername },
      },
      `tg-${userId}-${Date.now()}`,
    );
    pending.set(userId, created.id);
    await send(chatId, `Please confirm who you are: ${created.url}`);
  }

  return {
    async fetch(request: Request): Promise<Response> {
      if (request.method !== 'POST' || new URL(request.url).pathname !== '/telegram/webhook') return new Response('not found', { status: 404 });

      const given = request.headers.get('x-telegram-bot-api-secret-token') ?? '';
      if (given.length !== options.webhookSecret.length || !timingSafeEqual(Buffer.from(given), Buffer.from(options.webhookSecret))) {
        return new Response('invalid secret token', { status: 401 });
      }

      const update = (await request.json()) as Update;
      const message = update.message;
      if (message?.from && message.text !== undefined) await handle(message.from.id, message.chat.id, message.text);
      return new Response('ok');
    },
  };
}

if (import.meta.main) {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const answers: Record<number, string> = { [Number(process.env.DEMO_TELEGRAM_USER_ID ?? '111222333')]: '4242' };
  const bot = createTelegramBot({
    askgate: { apiUrl: env('ASKGATE_API_URL'), apiKey: env('ASKGATE_API_KEY') },
    telegramUrl: process.env.TELEGRAM_API_URL ?? 'https://api.telegram.org',
    botToken: env('TELEGRAM_BOT_TOKEN'),
    botUsername: env('TELEGRAM_BOT_USERNAME'),
    webhookSecret: env('TELEGRAM_WEBHOOK_SECRET'),
    lookupAnswer: (userId) => answers[userId] ?? null,
  });
  // Loopback by default: put a TLS proxy in front, or set HOST=0.0.0.0 to listen on every interface.
  const server = Bun.serve({ hostname: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000), fetch: bot.fetch });
  console.log(`Telegram bot listening on ${server.url.origin}/telegram/webhook`);
}
