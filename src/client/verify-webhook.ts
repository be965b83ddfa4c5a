import { createHmac, timingSafeEqual } from 'node:crypto';
import type { eventPayload } from '../api/event-models.ts';

/** An askgate event as POSTed to a webhook URL. */
export type AskgateEvent = typeof eventPayload.static;

/**
 * Why a webhook request failed verification:
 * `missing_header` (a webhook-* header is absent), `stale_timestamp` (signed more than the
 * tolerance away from now, in either direction), `bad_signature` (no signature matches any
 * secret), `malformed` (a header or the body cannot be parsed).
 */
export type WebhookVerificationReason = 'missing_header' | 'stale_timestamp' | 'bad_signature' | 'malformed';

/** The error `verifyWebhook` throws; `reason` distinguishes a forged request from a late or broken one. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookVerificationReason;

  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** Largest accepted distance between the signing time and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The time to check against (default: the current time). */
  now?: Date | number;
}

/**
 * Verifies a Standard Webhooks request from askgate and returns the parsed event. Pass the raw
 * body exactly as received, before any JSON parsing. `secret` is the `whsec_…` signing secret,
 * or a list of secrets while you rotate yours. The signature is checked before the timestamp,
 * so `stale_timestamp` is only reported for a request that askgate did sign. Signatures are
 * compared in constant time. Throws WebhookVerificationError.
 *
 * @example
 * const event = verifyWebhook(request.headers, await request.text(), process.env.ASKGATE_WEBHOOK_SECRET!);
 * // Note the pass, then confirm the return code that the customer sends in the chat with AskgateClient.confirm.
 * if (event.type === 'challenge.passed') await notePassed(event.data.id);
 */
export function verifyWebhook(
  headers: WebhookHeaders,
  body: string | Uint8Array,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): AskgateEvent {
  const id = readHeader(headers, 'webhook-id');
  const timestampText = readHeader(headers, 'webhook-timestamp');
  const signatureText = readHeader(headers, 'webhook-signature');
  const keys = (typeof secret === 'string' ? [secret] : secret).map(decodeSecret);
  if (keys.length === 0) throw new TypeError('verifyWebhook needs at least one secret.');

  if (!/^\d{1,12}$/.test(timestampText)) {
    throw new WebhookVerificationError('malformed', 'The webhook-timestamp header is not a Unix time in seconds.');
  }
  const signatures = parseSignatures(signatureText);
  const bodyBytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const expected = keys.map((key) => createHmac('sha256', key).update(`${id}.${timestampText}.`).update(bodyBytes).digest());
  let matched = false;
  for (const signature of signatures) {
    for (const mac of expected) {
      if (timingSafeEqual(signature, mac)) matched = true;
    }
  }
  if (!matched) throw new WebhookVerificationError('bad_signature', 'No signature in webhook-signature matches the signing secret.');

  const toleranceSeconds = options.toleranceSeconds ?? 300;
  let nowMs = Date.now();
  if (typeof options.now === 'number') nowMs = options.now;
  if (options.now instanceof Date) nowMs = options.now.getTime();
  const ageSeconds = Math.floor(nowMs / 1000) - Number(timestampText);
  if (Math.abs(ageSeconds) > toleranceSeconds) {
    const when = ageSeconds > 0 ? `${ageSeconds} seconds ago` : `${-ageSeconds} seconds in the future`;
    throw new WebhookVerificationError('stale_timestamp', `The request was signed ${when}, outside the tolerance of ${toleranceSeconds} seconds. Check this host's clock.`);
  }

  return parseEvent(bodyBytes);
}

function readHeader(headers: WebhookHeaders, name: string): string {
  let value: string | string[] | null | undefined;
  if (headers instanceof Headers) {
    value = headers.get(name);
  } else {
    const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === null || text === '') {
    throw new WebhookVerificationError('missing_header', `The ${name} header is missing.`);
  }
  return text;
}

function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length === 0) {
    throw new TypeError('The signing secret must be whsec_ followed by base64, as ASKGATE_WEBHOOK_SECRET is.');
  }
  return key;
}

/** Returns the 32-byte MACs of the `v1,` entries; entries of other versions are skipped. */
function parseSignatures(header: string): Buffer[] {
  const entries = header.split(' ').filter((entry) => entry !== '');
  const macs: Buffer[] = [];
  let wellFormed = 0;
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma <= 0) continue;
    wellFormed += 1;
    if (entry.slice(0, comma) !== 'v1') continue;
    const mac = Buffer.from(entry.slice(comma + 1), 'base64');
    if (mac.length === 32) macs.push(mac);
  }
  if (wellFormed === 0) {
    throw new WebhookVerificationError('malformed', 'The webhook-signature header contains no "<version>,<signature>" entry.');
  }
  return macs;
}

function parseEvent(body: Buffer): AskgateEvent {
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('malformed', 'The signed body is not JSON.');
  }
  const shaped =
    typeof event === 'object' && event !== null &&
    typeof (event as { type?: unknown }).type === 'string' &&
    typeof (event as { timestamp?: unknown }).timestamp === 'string' &&
    typeof (event as { data?: unknown }).data === 'object' && (event as { data?: unknown }).data !== null;
  if (!shaped) throw new WebhookVerificationError('malformed', 'The signed body is not an event with type, timestamp and data.');
  return event as AskgateEvent;
}
