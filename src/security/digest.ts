import { timingSafeEqual } from 'node:crypto';

/** Returns the HMAC-SHA256 of `message` under `key`, base64url-encoded. */
export function hmacSha256(key: string | Uint8Array, message: string): string {
  return new Bun.CryptoHasher('sha256', key).update(message).digest('base64url');
}

/** Returns the SHA-256 of `value`, base64url-encoded. Used to index page tokens and API keys. */
export function sha256(value: string): string {
  return new Bun.CryptoHasher('sha256').update(value).digest('base64url');
}

/**
 * Compares two strings in time that depends only on their lengths. Callers compare digests
 * of equal length, so the length check leaks nothing useful.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
