import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { createTwilioBot, twilioSignature } from '../../examples/twilio-whatsapp-bot.ts';
import { returnLinkOf, startChatMock } from '../support/chat-mock.ts';
import { logsAbout, readChallengeOfPage, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

const accountSid = 'AC00000000000000000000000000000000';
const authToken = 'twilio-auth-token';
const customer = '+5491122334455';
const publicWebhookUrl = 'https://bot.example.com/twilio/inbound';

describe('Twilio WhatsApp example', () => {
  let askgate: Askgate;
  let twilio: ReturnType<typeof startChatMock>;
  let bot: Server<undefined>;

  beforeAll(async () => {
    askgate = await startAskgate();
    twilio = startChatMock(() => Response.json({ sid: 'SM0000', status: 'queued' }, { status: 201 }));
    const handler = createTwilioBot({
      askgate: { apiUrl: askgate.apiUrl, apiKey: askgate.apiKey },
      twilioUrl: twilio.url,
      accountSid,
      authToken,
      whatsappNumber: '+14155238886',
      publicWebhookUrl,
      lookupAnswer: (phone) => (phone === customer ? 'Escuela 12' : null),
    });
    bot = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handler.fetch });
  });

  afterAll(async () => {
    bot.stop(true);
    twilio.stop();
    await askgate.stop();
  });

  /** Posts an incoming WhatsApp message the way Twilio does, signed unless `signature` is given. */
  function deliver(body: string, signature?: string): Promise<Response> {
    const fields = new URLSearchParams({ MessageSid: `SM${body.length}`, AccountSid: accountSid, From: `whatsapp:${customer}`, To: 'whatsapp:+14155238886', Body: body });
    return fetch(`http://127.0.0.1:${bot.port}/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature ?? twilioSignature(authToken, publicWebhookUrl, fields) },
      body: fields.toString(),
    });
  }

  function sentBodies(): string[] {
    return twilio.requests.map((request) => new URLSearchParams(request.body).get('Body') ?? '');
  }

  test('rejects a bad signature', async () => {
    const response = await deliver('change address', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');

    expect(response.status).toBe(403);
    expect(twilio.requests).toHaveLength(0);
  });

  test('verifies a customer end to end', async () => {
    const first = await deliver('I need to change address');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/xml');
    expect(twilio.requests).toHaveLength(1);
    const sent = twilio.requests[0];
    expect(sent?.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(sent?.headers.get('authorization')).toBe('Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64'));
    expect(new URLSearchParams(sent?.body).get('To')).toBe(`whatsapp:${customer}`);
    const link = /(http:\/\/\S+\/c\/\S+)/.exec(sentBodies()[0] ?? '')?.[1] ?? '';
    expect(link).toStartWith(`${askgate.publicUrl}/c/`);

    const page = await submitAnswer(link, { answer: '  escuela 12 ' });
    const deepLink = new URL(returnLinkOf(await page.text()));
    expect(deepLink.origin + deepLink.pathname).toBe('https://wa.me/14155238886');
    const returnText = deepLink.searchParams.get('text') ?? '';
    expect(returnText).toMatch(/^Code [A-Z2-9]{7}$/);

    expect((await readChallengeOfPage(askgate, link)).confirmed_at).toBeUndefined();

    expect((await deliver(returnText)).status).toBe(200);
    expect(sentBodies()[1]).toBe('Verified. Your address change is saved.');
    const confirmed = await readChallengeOfPage(askgate, link);
    expect(confirmed.confirmed_at).toBeString();
    expect(logsAbout(askgate, 'return code confirmed', confirmed.id)).toHaveLength(1);
  });

  test('signature covers the body', async () => {
    const fields = new URLSearchParams({ From: `whatsapp:${customer}`, Body: 'change address' });
    const signature = twilioSignature(authToken, publicWebhookUrl, fields);
    const before = twilio.requests.length;

    const response = await fetch(`http://127.0.0.1:${bot.port}/twilio/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams({ From: `whatsapp:${customer}`, Body: 'change address now' }).toString(),
    });

    expect(response.status).toBe(403);
    expect(twilio.requests).toHaveLength(before);
  });
});
