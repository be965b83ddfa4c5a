/**
 * A bot on Twilio's WhatsApp API that requests a known-question check from askgate.
 *
 *   ASKGATE_API_URL=http://127.0.0.1:8000 ASKGATE_API_KEY=ak_… TWILIO_ACCOUNT_SID=AC… \
 *   TWILIO_AUTH_TOKEN=… TWILIO_WHATSAPP_NUMBER=+14155238886 \
 *   PUBLIC_WEBHOOK_URL=https://bot.example.com/twilio/inbound bun examples/twilio-whatsapp-bot.ts
 *
 * Twilio POSTs each incoming message as a form to the webhook, signed in X-Twilio-Signature
 * (HMAC-SHA1 of the public URL followed by the sorted form fields, keyed by the auth token). The
 * bot replies through the Messages REST resource.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkReturn, createAskgateClient, type AskgateClientOptions } from './askgate-client.ts';

export interface TwilioBotOptions {
  askgate: AskgateClientOptions;
  /** Twilio REST base, https://api.twilio.com in production. */
  twilioUrl: string;
  accountSid: string;
  authToken: string;
  /** The bot's WhatsApp number at Twilio, E.164. */
  whatsappNumber: string;
  /** The webhook URL exactly as configured at Twilio; the signature covers it. */
  publicWebhookUrl: string;
  /** Returns the expected answer for a customer (E.164 number), or null when unknown. */
  lookupAnswer: (phone: string) => string | null;
}

/** Computes X-Twilio-Signature for a form POST to `url`. */
export function twilioSignature(authToken: string, url: string, fields: URLSearchParams): string {
  const data = [...fields.keys()].sort().reduce((text, key) => text + key + fields.getAll(key).join(''), url);
  return createHmac('sha1', authToken).update(data).digest('base64');
}

export function createTwilioBot(options: TwilioBotOptions) {
  const askgate = createAskgateClient(options.askgate);
  const pending = new Map<string, string>();
  const emptyTwiml = () => new Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', { headers: { 'content-type': 'text/xml' } });

  async function send(to: string, body: string): Promise<void> {
    const response = await fetch(`${options.twilioUrl}/2010-04-01/Accounts/${options.accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: 'Basic ' + Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ From: `whatsapp:${options.whatsappNumber}`, To: `whatsapp:${to}`, Body: body }).toString(),
    });
    if (!response.ok) throw new Error(`Twilio returned ${response.status}`);
  }

  async function handle(phone: string, text: string): Promise<void> {
    const challengeId = pending.get(phone);
    if (challengeId !== undefined) {
      const result = await checkReturn(askgate, challengeId, text);
      if (result === 'pending') return send(phone, 'Please answer the question on the page first.');
      pending.delete(phone);
      return send(phone, result === 'verified' ? 'Verified. Your address change is saved.' : 'The check did not pass. Write "change address" to start again.');
    }

    if (!/\bchange address\b/i.test(text)) return send(phone, 'Write "change address" to update your address.');
    const answer = options.lookupAnswer(phone);
    if (answer === null) return send(phone, 'We could not find your account.');

    const created = await askgate.createChallenge(
      {
        client_id: `twilio-${phone}`,
        question: 'What is the name of your first school?',
        answer,
        return: { channel: 'whatsapp', phone: options.whatsappNumber, text: 'Code {code}' },
      },
      `twilio-${phone}-${Date.now()}`,
    );
    pending.set(phone, created.id);
    await send(phone, `To change your address, please confirm who you are: ${created.url}`);
  }

  return {
    async fetch(request: Request): Promise<Response> {
      if (request.method !== 'POST' || new URL(request.url).pathname !== '/twilio/inbound') return new Response('not found', { status: 404 });

      const fields = new URLSearchParams(await request.text());
      const expected = twilioSignature(options.authToken, options.publicWebhookUrl, fields);
      const given = request.headers.get('x-twilio-signature') ?? '';
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
        return new Response('invalid signature', { status: 403 });
      }

      const from = fields.get('From') ?? '';
      if (from.startsWith('whatsapp:')) await handle(from.slice('whatsapp:'.length), fields.get('Body') ?? '');
      // Replies go through the REST API, so the webhook replies with an empty TwiML document.
      return emptyTwiml();
    },
  };
}

if (import.meta.main) {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const answers: Record<string, string> = { [process.env.DEMO_CUSTOMER_PHONE ?? '+5491122334455']: 'Escuela 12' };
  const bot = createTwilioBot({
    askgate: { apiUrl: env('ASKGATE_API_URL'), apiKey: env('ASKGATE_API_KEY') },
    twilioUrl: process.env.TWILIO_API_URL ?? 'https://api.twilio.com',
    accountSid: env('TWILIO_ACCOUNT_SID'),
    authToken: env('TWILIO_AUTH_TOKEN'),
    whatsappNumber: env('TWILIO_WHATSAPP_NUMBER'),
    publicWebhookUrl: env('PUBLIC_WEBHOOK_URL'),
    lookupAnswer: (phone) => answers[phone] ?? null,
  });
  // Loopback by default: put a TLS proxy in front, or set HOST=0.0.0.0 to listen on every interface.
  const server = Bun.serve({ hostname: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000), fetch: bot.fetch });
  console.log(`Twilio bot listening on ${server.url.origin}/twilio/inbound`);
}
