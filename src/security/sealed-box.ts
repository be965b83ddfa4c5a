import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

/** Derives the 256-bit key for `purpose` from the server secret, so that each use has its own key. */
export function deriveSealKey(secret: string, purpose: string): Buffer {
  return Buffer.from(new Bun.CryptoHasher('sha256', secret).update(`askgate seal key v1\n${purpose}`).digest());
}

/** Encrypts `plaintext` with AES-256-GCM under `key`; the result is `v1.` and base64url of IV, ciphertext and tag. */
export function sealText(key: Buffer, plaintext: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${version}.${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
}

/**
 * Decrypts a value from `sealText`. Returns null when it was sealed under another key, was
 * changed, or is not a sealed value at all.
 */
export function openText(key: Buffer, sealed: string): string | null {
  if (!sealed.startsWith(`${version}.`)) return null;
  const bytes = Buffer.from(sealed.slice(version.length + 1), 'base64url');
  if (bytes.length < ivBytes + tagBytes) return null;

  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivBytes));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
