/**
 * Request signing as the Standard Webhooks specification defines it, so that receivers can
 * verify askgate's requests with the specification's libraries: the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, the MAC is HMAC-SHA256 under the base64-decoded
 * part of a `whsec_` secret, and the header carries `v1,<base64 MAC>`.
 */

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Decodes a `whsec_<base64>` secret to the raw key bytes. */
export function decodeSigningSecret(secret: string): Uint8Array {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  return new Uint8Array(Buffer.from(encoded, 'base64'));
}

/** Derives a `whsec_` secret from the server secret, for setups that configure none. */
export function deriveSigningSecret(serverSecret: string): string {
  const key = new Bun.CryptoHasher('sha256', serverSecret).update('askgate signing secret v1').digest();
  return 'whsec_' + Buffer.from(key).toString('base64');
}

/**
 * Signs `body` with every secret in `secrets` (several during a rotation) and returns the
 * three headers. `timestampSeconds` is Unix time.
 */
export function signRequest(
  messageId: string,
  timestampSeconds: number,
  body: string,
  secrets: readonly string[],
): SignatureHeaders {
  const content = `${messageId}.${timestampSeconds}.${body}`;
  const signatures = secrets.map((secret) => {
    const mac = new Bun.CryptoHasher('sha256', decodeSigningSecret(secret)).update(content).digest('base64');
    return `v1,${mac}`;
  });
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
