import type { ApiKeyRecord, ChallengeStore } from '../store/store.ts';
import { constantTimeEqual, sha256 } from './digest.ts';
import { randomBase64Url } from './random.ts';

/** Tenant ids: 1 to 64 characters from A-Z, a-z, 0-9, `_` and `-`. */
export const tenantIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** The tenant of the bootstrap key `ASKGATE_API_KEY`. */
export const defaultTenantId = 'default';

/** Id of the bootstrap key in rate-limit keys and logs; stored keys use `key_…` ids. */
export const bootstrapKeyId = 'bootstrap';

/** Characters of a key shown in listings: `ak_` and 6 of its 43 random characters. */
const shownPrefixLength = 9;

/** Generates a new API key: `ak_` and 32 random bytes (256 bits) in base64url. */
export function generateApiKey(): string {
  return 'ak_' + randomBase64Url(32);
}

/** An API key as listings show it: never the key, never its hash. */
export interface ApiKeyView {
  id: string;
  tenant: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

/** The caller behind an authenticated API request. */
export interface ApiCaller {
  tenantId: string;
  keyId: string;
}

export function presentApiKey(record: ApiKeyRecord): ApiKeyView {
  return {
    id: record.id,
    tenant: record.tenantId,
    prefix: record.prefix,
    created_at: new Date(record.createdAt).toISOString(),
    revoked_at: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
  };
}

/**
 * Creates an API key for `tenantId` and stores only its SHA-256. Returns the key, which exists
 * nowhere else afterwards, and its listing view.
 *
 * @throws TypeError when `tenantId` does not match `tenantIdPattern`.
 */
export async function createApiKey(store: ChallengeStore, tenantId: string, now = Date.now()): Promise<{ key: string; view: ApiKeyView }> {
  if (!tenantIdPattern.test(tenantId)) {
    throw new TypeError('tenant must be 1 to 64 characters from A-Z, a-z, 0-9, _ and -');
  }
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: 'key_' + randomBase64Url(16),
    tenantId,
    keyHash: sha256(key),
    prefix: key.slice(0, shownPrefixLength),
    createdAt: now,
    revokedAt: null,
  };
  await store.saveApiKey(record);
  return { key, view: presentApiKey(record) };
}

/** Lists the keys of one tenant, or of all tenants when `tenantId` is null, oldest first. */
export async function listApiKeys(store: ChallengeStore, tenantId: string | null): Promise<ApiKeyView[]> {
  return (await store.listApiKeys(tenantId)).map(presentApiKey);
}

/**
 * Revokes a key; requests with it fail from then on. Revoking a revoked key keeps the first
 * revocation time. Returns null when no key has this id.
 */
export async function revokeApiKey(store: ChallengeStore, id: string, now = Date.now()): Promise<ApiKeyView | null> {
  if (!(await store.revokeApiKey(id, now))) return null;
  const record = (await store.listApiKeys(null)).find((candidate) => candidate.id === id);
  return record === undefined ? null : presentApiKey(record);
}

/** Why a presented key was not accepted. Only logs show it, because every case returns the same 401. */
export type KeyRejection = 'unknown' | 'revoked';

export type KeyCheck = { accepted: true; caller: ApiCaller } | { accepted: false; reason: KeyRejection };

/**
 * Checks a presented API key: the bootstrap key (its hash, compared in constant time), then the
 * stored keys, looked up by the SHA-256 of the presented key. Any timing difference of the store's
 * lookup therefore tells something about a hash, not about a key. The found hash is compared again
 * in constant time.
 */
export async function checkApiKey(store: ChallengeStore, bootstrapKeyHash: string | null, presented: string): Promise<KeyCheck> {
  const presentedHash = sha256(presented);
  if (bootstrapKeyHash !== null && constantTimeEqual(presentedHash, bootstrapKeyHash)) {
    return { accepted: true, caller: { tenantId: defaultTenantId, keyId: bootstrapKeyId } };
  }

  const record = await store.findApiKeyByHash(presentedHash);
  if (record === null || !constantTimeEqual(presentedHash, record.keyHash)) return { accepted: false, reason: 'unknown' };
  if (record.revokedAt !== null) return { accepted: false, reason: 'revoked' };
  return { accepted: true, caller: { tenantId: record.tenantId, keyId: record.id } };
}
