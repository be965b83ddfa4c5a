import { describe, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError, type WebhookVerificationReason } from '../../src/client/verify-webhook.ts';
import { signRequest } from '../../src/security/signature.ts';
import { generateWebhookSecret } from '../support/receiver.ts';

const secret = generateWebhookSecret();
const body = JSON.stringify({ type: 'challenge.passed', timestamp: '2026-05-01T12:00:00.000Z', data: { id: 'chl_x', return_code: 'K7P2QXA' } });
const nowSeconds = 1_777_636_800;
const now = nowSeconds * 1000;

function signed(timestampSeconds = nowSeconds, secrets = [secret]): Record<string, string> {
  return { ...signRequest('evt_test', timestampSeconds, body, secrets) };
}

function reasonOf(run: () => unknown): WebhookVerificationReason | null {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return null;
}

describe('verifyWebhook', () => {
  test('returns the parsed event', () => {
    const event = verifyWebhook(signed(), body, secret, { now });

    expect(event.type).toBe('challenge.passed');
    expect(event.data.return_code).toBe('K7P2QXA');
  });

  test('accepts Headers and bytes', () => {
    const event = verifyWebhook(new Headers(signed()), new TextEncoder().encode(body), secret, { now: new Date(now) });

    expect(event.data.id).toBe('chl_x');
  });

  test('matches headers case-insensitively', () => {
    const headers = Object.fromEntries(Object.entries(signed()).map(([name, value]) => [name.toUpperCase(), value]));

    expect(verifyWebhook(headers, body, secret, { now }).type).toBe('challenge.passed');
  });

  test('agrees with standardwebhooks', () => {
    const timestamp = new Date();
    const id = 'evt_library';
    const signature = new Webhook(secret).sign(id, timestamp, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };

    expect(verifyWebhook(headers, body, secret).data.id).toBe('chl_x');
  });

  test('any of several secrets verifies', () => {
    const other = generateWebhookSecret();

    expect(verifyWebhook(signed(nowSeconds, [other]), body, [secret, other], { now }).type).toBe('challenge.passed');
    expect(verifyWebhook(signed(nowSeconds, [other, secret]), body, secret, { now }).type).toBe('challenge.passed');
  });

  const failures: { name: string; reason: WebhookVerificationReason; run: () => unknown }[] = [
    { name: 'missing id', reason: 'missing_header', run: () => verifyWebhook({ ...signed(), 'webhook-id': undefined }, body, secret, { now }) },
    { name: 'missing timestamp', reason: 'missing_header', run: () => verifyWebhook({ ...signed(), 'webhook-timestamp': '' }, body, secret, { now }) },
    { name: 'missing signature', reason: 'missing_header', run: () => verifyWebhook(new Headers({ 'webhook-id': 'evt_test', 'webhook-timestamp': String(nowSeconds) }), body, secret, { now }) },
    { name: 'old timestamp', reason: 'stale_timestamp', run: () => verifyWebhook(signed(nowSeconds - 301), body, secret, { now }) },
    { name: 'future timestamp', reason: 'stale_timestamp', run: () => verifyWebhook(signed(nowSeconds + 301), body, secret, { now }) },
    { name: 'narrow tolerance', reason: 'stale_timestamp', run: () => verifyWebhook(signed(nowSeconds - 11), body, secret, { now, toleranceSeconds: 10 }) },
    { name: 'tampered body', reason: 'bad_signature', run: () => verifyWebhook(signed(), body.replace('K7P2QXA', 'HJKMNPQ'), secret, { now }) },
    { name: 'other secret', reason: 'bad_signature', run: () => verifyWebhook(signed(), body, generateWebhookSecret(), { now }) },
    { name: 'other id', reason: 'bad_signature', run: () => verifyWebhook({ ...signed(), 'webhook-id': 'evt_other' }, body, secret, { now }) },
    { name: 'unknown version only', reason: 'bad_signature', run: () => verifyWebhook({ ...signed(), 'webhook-signature': 'v1a,AAAA' }, body, secret, { now }) },
    { name: 'non-numeric timestamp', reason: 'malformed', run: () => verifyWebhook({ ...signed(), 'webhook-timestamp': 'yesterday' }, body, secret, { now }) },
    { name: 'signature without version', reason: 'malformed', run: () => verifyWebhook({ ...signed(), 'webhook-signature': 'garbage' }, body, secret, { now }) },
    {
      name: 'signed non-JSON body',
      reason: 'malformed',
      run: () => verifyWebhook({ ...signRequest('evt_test', nowSeconds, 'not json', [secret]) }, 'not json', secret, { now }),
    },
  ];

  for (const { name, reason, run } of failures) {
    test(`${name} throws ${reason}`, () => {
      expect(reasonOf(run)).toBe(reason);
    });
  }

  test('stale check follows signature check', () => {
    expect(reasonOf(() => verifyWebhook(signed(nowSeconds - 3600), body, generateWebhookSecret(), { now }))).toBe('bad_signature');
  });

  test('invalid secret throws TypeError', () => {
    expect(() => verifyWebhook(signed(), body, 'whsec_***', { now })).toThrow(TypeError);
    expect(() => verifyWebhook(signed(), body, [], { now })).toThrow(TypeError);
  });
});
