import { AppError } from '../errors/app-error.ts';
import { constantTimeEqual, sha256 } from '../security/digest.ts';
import { randomBase64Url } from '../security/random.ts';

/** An API key as askgate keeps it: only the SHA-256 of the key, and the tenant it belongs to. */
export interface ApiKeyRecord {
  keyHash: string;
  tenantId: string;
}

/** Generates a new API key: `ak_` and 32 random bytes (256 bits) in base64url. */
export function generateApiKey(): string {
  return 'ak_' + randomBase64Url(32);
}

/**
 * Returns the tenant whose key matches the `Authorization: Bearer` header, or throws
 * `unauthorized`. Every stored hash is compared in constant time, so the time taken does not
 * depend on which key, if any, matched.
 */
export function authenticate(authorization: string | null, keys: readonly ApiKeyRecord[]): string {
  const match = authorization === null ? null : /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization);
  if (match === null) {
    throw new AppError('unauthorized', 'Missing or malformed Authorization header. Send "Authorization: Bearer <api key>".');
  }

  const presentedHash = sha256(match[1] as string);
  let tenantId: string | null = null;
  for (const key of keys) {
    if (constantTimeEqual(presentedHash, key.keyHash)) tenantId = key.tenantId;
  }
  if (tenantId === null) {
    throw new AppError('unauthorized', 'The API key is not valid. Check the key, or ask the operator for a new one.');
  }
  return tenantId;
}
