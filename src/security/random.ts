/** Returns `byteCount` cryptographically random bytes encoded as base64url without padding. */
export function randomBase64Url(byteCount: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(byteCount));
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Returns a string of `length` characters drawn uniformly from `alphabet`.
 * Rejection sampling avoids the bias of a plain modulo.
 */
export function randomFromAlphabet(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let result = '';
  while (result.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte >= limit) continue;
      result += alphabet[byte % alphabet.length];
      if (result.length === length) break;
    }
  }
  return result;
}
