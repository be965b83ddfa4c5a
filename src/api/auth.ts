import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../log/logger.ts';
import { checkApiKey, type ApiCaller } from '../security/api-keys.ts';
import { constantTimeEqual, sha256 } from '../security/digest.ts';
import type { ChallengeStore } from '../store/store.ts';

const invalidKeyMessage = 'The API key is not valid. Check the key, or ask the operator for a new one.';

/** Reads the token of an `Authorization: Bearer <token>` header, or throws `unauthorized`. */
export function bearerTokenOf(authorization: string | null): string {
  const match = authorization === null ? null : /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization);
  if (match === null) {
    throw new AppError('unauthorized', 'Missing or malformed Authorization header. Send "Authorization: Bearer <api key>".');
  }
  return match[1] as string;
}

/**
 * Returns the tenant and key behind the `Authorization` header of an API request, or throws
 * `unauthorized`. Unknown and revoked keys get the same reply, and only the log tells them apart.
 */
export async function authenticateApiKey(
  authorization: string | null,
  store: ChallengeStore,
  bootstrapKeyHash: string | null,
  log: Logger,
): Promise<ApiCaller> {
  let presented: string;
  try {
    presented = bearerTokenOf(authorization);
  } catch (error) {
    log.warn('API request rejected: no bearer token');
    throw error;
  }

  const check = await checkApiKey(store, bootstrapKeyHash, presented);
  if (!check.accepted) {
    log.warn('API request rejected: API key not accepted', { reason: check.reason });
    throw new AppError('unauthorized', invalidKeyMessage);
  }
  log.debug('API key accepted', { tenant: check.caller.tenantId, key_id: check.caller.keyId });
  return check.caller;
}

/** Checks the `Authorization` header of an admin request against the admin key's hash, or throws `unauthorized`. */
export function authenticateAdmin(authorization: string | null, adminKeyHash: string, log: Logger): void {
  let presented: string;
  try {
    presented = bearerTokenOf(authorization);
  } catch (error) {
    log.warn('admin request rejected: no bearer token');
    throw error;
  }
  if (!constantTimeEqual(sha256(presented), adminKeyHash)) {
    log.warn('admin request rejected: admin key not accepted');
    throw new AppError('unauthorized', 'The admin key is not valid.');
  }
}
