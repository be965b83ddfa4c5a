/**
 * A WhatsApp Cloud API bot that requests a known-question check from askgate before a sensitive step.
 *
 *   ASKGATE_API_URL=http://127.0.0.1:8000 ASKGATE_API_KEY=ak_… WHATSAPP_TOKEN=… \
 *   WHATSAPP_PHONE_NUMBER_ID=… WHATSAPP_BUSINESS_PHONE=+15550001111 WHATSAPP_APP_SECRET=… \
 *   WHATSAPP_VERIFY_TOKEN=… bun examples/whatsapp-cloud-bot.ts
 *
 * Meta calls POST /webhook with incoming messages, signed with the app secret in
 * X-Hub-Signature-256. The bot answers through the Graph API's /{phone-number-id}/messages.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkReturn, createAskgateClient, type AskgateClientOptions } from './askgate-client.ts';

export interface WhatsappBotOptions {
  askgate: AskgateClientOptions;
  /** Graph API base, https://graph.facebook.com/v21.0 in production. */
  graphUrl: string;
  accessToken: string;
  phoneNumberId: string;
  /** The bot's own number in E.164: the customer returns to it after the check. */
  businessPhone: string;
  appSecret: string;
  verifyToken: string;
  /** Returns the expected answer for a customer (by WhatsApp id), or null when unknown. */
  lookupAnswer: (waId: string) => string | null;
}

interface IncomingText {
  from: string;
  text: string;
}

export function createWhatsappBot(options: WhatsappBotOptions) {
  const askgate = createAskgateClient(options.askgate);
  /** Pending challenge id per customer. A real bot keeps this in its database. */
  const pending = new Map<string, string>();

  async function send(to: string, body: string): Promise<void> {
    const response = await fetch(`${options.graphUrl}/${options.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body } }),
    });
    if (!response.ok) throw new Error(`Graph API returned ${response.status}`);
  }

  async function handle(message: IncomingText): Promise<void> {
    const challengeId = pending.get(message.from);
    if (challengeId !== undefined) {
      const result = await checkReturn(askgate, challengeId, message.text);
      if (result === 'pending') return send(message.from, 'Please answer the question on the page first.');
      pending.delete(message.from);
      return send(message.from, result === 'verified' ? 'Verified. Your transfer is on its way.' : 'The check did not pass. Write "transfer" to start again.');
    }

    if (!/\btransfer\b/i.test(message.text)) return send(message.from, 'Write "transfer" to send money.');
    const answer = options.lookupAnswer(message.from);
    if (answer === null) return send(message.from, 'We could not find your account.');

    const created = await askgate.createChallenge(
      {
        client_id: `wa-${message.from}`,
        question: 'What is your date of birth? (YYYY-MM-DD)',
        answer,
        return: { channel: 'whatsapp', phone: options.businessPhone, text: 'My verification code is {code}' },
        expires_in: 300,
        max_attempts: 3,
      },
      `wa-${message.from}-${Date.now()}`,
    );
    pending.set(message.from, created.id);
    await send(message.from, `Before the transfer, please confirm who you are: ${created.url}`);
  }

  function validSignature(rawBody: string, header: string | null): boolean {
    const expected = 'sha256=' + createHmac('sha256', options.appSecret).update(rawBody).digest('hex');
    return header !== null && header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
  }

  return {
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname !== '/webhook') return new Response('not found', { status: 404 });

      if (request.method === 'GET') {
        // Meta's subscription check: echo hub.challenge when the verify token matches.
        const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === options.verifyToken;
        return ok ? new Response(url.searchParams.get('hub.challenge') ?? '') : new Response('forbidden', { status: 403 });
      }

      const rawBody = await request.text();
      if (!validSignature(rawBody, request.headers.get('x-hub-signature-256'))) return new Response('invalid signature', { status: 401 });

      const payload = JSON.parse(rawBody) as { entry?: { changes?: { value?: { messages?: { from: string; type: string; text?: { body: string } }[] } }[] }[] };
      for (const entry of payload.entry ?? []) {
        for (const change of entry.changes ?? []) {
          for (const message of change.value?.messages ?? []) {
            if (message.type === 'text' && message.text) await handle({ from: message.from, text: message.text.body });
          }
        }
      }
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
  // A demo customer record; a real bot reads its own database.
  const answers: Record<string, string> = { [process.env.DEMO_CUSTOMER_WA_ID ?? '5491122334455']: '1990-04-12' };
  const bot = createWhatsappBot({
    askgate: { apiUrl: env('ASKGATE_API_URL'), apiKey: env('ASKGATE_API_KEY') },
    graphUrl: process.env.GRAPH_API_URL ?? 'https://graph.facebook.com/v21.0',
    accessToken: env('WHATSAPP_TOKEN'),
    phoneNumberId: env('WHATSAPP_PHONE_NUMBER_ID'),
    businessPhone: env('WHATSAPP_BUSINESS_PHONE'),
    appSecret: env('WHATSAPP_APP_SECRET'),
    verifyToken: env('WHATSAPP_VERIFY_TOKEN'),
    lookupAnswer: (waId) => answers[waId] ?? null,
  });
  // Loopback by default: put a TLS proxy in front, or set HOST=0.0.0.0 to listen on every interface.
  const server = Bun.serve({ hostname: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000), fetch: bot.fetch });
  console.log(`WhatsApp bot listening on ${server.url.origin}/webhook`);
}
