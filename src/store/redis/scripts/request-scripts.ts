import { LuaScript } from './lua-script.ts';

/**
 * Claims an idempotency key, or reports the state of an unexpired claim. The hash keeps its own
 * `expiresAt` besides the key's TTL, so that the caller's clock decides expiry as in the other
 * stores.
 *
 * ARGS: key, fingerprint, now, expiresAt.
 * Returns {'claimed'}, {'mismatch'}, {'in_progress'} or {'replay', status, body}.
 */
export const claimIdempotencyKeyScript = new LuaScript(
  'claim_idempotency_key',
  `
local key, fingerprint, now, expires_at = ARGS[1], ARGS[2], tonumber(ARGS[3]), ARGS[4]
local entry = load_hash(key)
if entry and tonumber(entry.expiresAt) > now then
  if entry.fingerprint ~= fingerprint then return { 'mismatch' } end
  if entry.replyStatus then return { 'replay', entry.replyStatus, entry.replyBody } end
  return { 'in_progress' }
end

redis.call('DEL', key)
redis.call('HSET', key, 'fingerprint', fingerprint, 'expiresAt', expires_at)
redis.call('PEXPIREAT', key, expires_at)
return { 'claimed' }
`,
);

/** Stores the reply of a claimed key, keeping its TTL. ARGS: key, status, body. */
export const completeIdempotencyKeyScript = new LuaScript(
  'complete_idempotency_key',
  `
if redis.call('EXISTS', ARGS[1]) == 0 then return 0 end
redis.call('HSET', ARGS[1], 'replyStatus', ARGS[2], 'replyBody', ARGS[3])
return 1
`,
);

/**
 * Counts one hit in a fixed window that starts with the first hit: INCR, then PEXPIRE when the
 * counter is new. A counter found without a TTL gets one, so that it cannot block forever.
 *
 * ARGS: key, window in ms. Returns {count, milliseconds until the window resets}.
 */
export const hitRateLimitScript = new LuaScript(
  'hit_rate_limit',
  `
local key, window_ms = ARGS[1], ARGS[2]
local count = redis.call('INCR', key)
if count == 1 then redis.call('PEXPIRE', key, window_ms) end
local ttl = redis.call('PTTL', key)
if ttl < 0 then
  redis.call('PEXPIRE', key, window_ms)
  ttl = tonumber(window_ms)
end
return { count, ttl }
`,
);
