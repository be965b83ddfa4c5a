import { LuaScript } from './lua-script.ts';

/**
 * Writes an API key and its indexes, replacing an earlier record with the same id and the index
 * entries that pointed to it.
 *
 * ARGS: id, tenant id, key hash, prefix, createdAt, revokedAt ('' when not revoked).
 */
export const saveApiKeyScript = new LuaScript(
  'save_api_key',
  `
local id, tenant_id, key_hash, prefix, created_at, revoked_at = ARGS[1], ARGS[2], ARGS[3], ARGS[4], ARGS[5], ARGS[6]
local key = key_api_key(id)
local old = load_hash(key)
if old then
  if old.keyHash ~= key_hash then redis.call('DEL', key_api_key_hash(old.keyHash)) end
  if old.tenantId ~= tenant_id then redis.call('ZREM', key_tenant_api_keys(old.tenantId), id) end
  redis.call('DEL', key)
end

redis.call('HSET', key, 'id', id, 'tenantId', tenant_id, 'keyHash', key_hash, 'prefix', prefix, 'createdAt', created_at)
if revoked_at ~= '' then redis.call('HSET', key, 'revokedAt', revoked_at) end
redis.call('SET', key_api_key_hash(key_hash), id)
redis.call('ZADD', key_api_keys(), created_at, id)
redis.call('ZADD', key_tenant_api_keys(tenant_id), created_at, id)
return 1
`,
);

/** ARGS: key hash. Returns the API key hash, or an empty array. */
export const findApiKeyByHashScript = new LuaScript(
  'find_api_key_by_hash',
  `
local id = redis.call('GET', key_api_key_hash(ARGS[1]))
if not id then return {} end
return redis.call('HGETALL', key_api_key(id))
`,
);

/** Sets `revokedAt` unless already set. ARGS: id, now. Returns 0 when no such key exists. */
export const revokeApiKeyScript = new LuaScript(
  'revoke_api_key',
  `
local key = key_api_key(ARGS[1])
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSETNX', key, 'revokedAt', ARGS[2])
return 1
`,
);
