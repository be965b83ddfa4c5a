import { LuaScript } from './lua-script.ts';

/**
 * Stores a new pending challenge unless the global pending limit is reached, canceling the
 * oldest pending challenges of the same client first when the per-client limit requires it.
 *
 * ARGS: id, client pending key, token hash, expiresAt, max pending total, max pending per client,
 * now, now ISO, event time, event time ISO, then the challenge hash as field/value pairs.
 * Returns {'pending_limit'} or {'created', {replaced challenge hashes}}.
 */
export const createChallengeScript = new LuaScript(
  'create_challenge',
  `
local id, pending_key, token_hash, expires_at = ARGS[1], ARGS[2], ARGS[3], ARGS[4]
local max_total, max_per_client = tonumber(ARGS[5]), tonumber(ARGS[6])
local now, now_iso, event_at, event_iso = ARGS[7], ARGS[8], ARGS[9], ARGS[10]

local to_replace = math.max(0, redis.call('ZCARD', pending_key) + 1 - max_per_client)
if redis.call('ZCARD', key_deadlines()) - to_replace + 1 > max_total then
  return { 'pending_limit' }
end

local replaced = {}
if to_replace > 0 then
  for _, older_id in ipairs(redis.call('ZRANGE', pending_key, 0, to_replace - 1)) do
    local older = load_hash(key_challenge(older_id))
    if older and older.status == 'pending' then
      finish(older_id, older, 'canceled', now, now_iso, event_at, event_iso)
      replaced[#replaced + 1] = to_flat(older)
    else
      -- An index entry without a pending challenge behind it is dropped.
      redis.call('ZREM', pending_key, older_id)
      redis.call('ZREM', key_deadlines(), older_id)
    end
  end
end

local fields = {}
for i = 11, #ARGS do fields[#fields + 1] = ARGS[i] end
redis.call('HSET', key_challenge(id), unpack(fields))
redis.call('SET', key_token(token_hash), id)
redis.call('ZADD', pending_key, redis.call('INCR', key_sequence()), id)
redis.call('ZADD', key_deadlines(), expires_at, id)
return { 'created', replaced }
`,
);

/** ARGS: token hash. Returns the challenge hash, or an empty array. */
export const findChallengeByTokenScript = new LuaScript(
  'find_challenge_by_token',
  `
local id = redis.call('GET', key_token(ARGS[1]))
if not id then return {} end
return redis.call('HGETALL', key_challenge(id))
`,
);

/**
 * Counts one attempt. A right answer takes the first return code candidate that no live
 * challenge uses. When every candidate is taken, nothing changes and the caller retries with new
 * ones.
 *
 * ARGS: id, outcome (right|wrong), now, now ISO, event time, event time ISO, code candidates….
 * Returns {'missing'}, {'ended', challenge hash}, {'code_taken'} or {'recorded', challenge hash}.
 */
export const recordAttemptScript = new LuaScript(
  'record_attempt',
  `
local id, outcome, now, now_iso, event_at, event_iso = ARGS[1], ARGS[2], ARGS[3], ARGS[4], ARGS[5], ARGS[6]
local c = load_hash(key_challenge(id))
if not c then return { 'missing' } end
if c.status ~= 'pending' or tonumber(c.expiresAt) <= tonumber(now) then return { 'ended', to_flat(c) } end

if outcome == 'right' then
  for i = 7, #ARGS do
    if redis.call('SET', key_return_code(ARGS[i]), id, 'NX') then
      c.returnCode = ARGS[i]
      break
    end
  end
  if not c.returnCode then return { 'code_taken' } end
end

c.attempts = int(tonumber(c.attempts) + 1)
if outcome == 'right' then
  finish(id, c, 'passed', now, now_iso, event_at, event_iso)
elseif tonumber(c.attempts) >= tonumber(c.maxAttempts) then
  finish(id, c, 'failed', now, now_iso, event_at, event_iso)
else
  redis.call('HSET', key_challenge(id), 'attempts', c.attempts)
end
return { 'recorded', to_flat(c) }
`,
);

/**
 * ARGS: tenant id, id, now, now ISO, event time, event time ISO.
 * Returns {'not_found'}, {'not_pending', challenge hash} or {'canceled', challenge hash}.
 */
export const cancelChallengeScript = new LuaScript(
  'cancel_challenge',
  `
local tenant_id, id, now, now_iso, event_at, event_iso = ARGS[1], ARGS[2], ARGS[3], ARGS[4], ARGS[5], ARGS[6]
local c = load_hash(key_challenge(id))
if not c or c.tenantId ~= tenant_id then return { 'not_found' } end
if c.status ~= 'pending' then return { 'not_pending', to_flat(c) } end

finish(id, c, 'canceled', now, now_iso, event_at, event_iso)
return { 'canceled', to_flat(c) }
`,
);

/**
 * Compares the return code through SHA-1 digests salted with a random nonce, so that the time the
 * comparison takes reveals nothing about how much of the code matched.
 *
 * ARGS: tenant id, id, code, now, window in ms, nonce.
 * Returns {'not_found'} or {outcome, challenge hash}.
 */
export const confirmReturnCodeScript = new LuaScript(
  'confirm_return_code',
  `
local tenant_id, id, code, now, window_ms, nonce = ARGS[1], ARGS[2], ARGS[3], tonumber(ARGS[4]), tonumber(ARGS[5]), ARGS[6]
local c = load_hash(key_challenge(id))
if not c or c.tenantId ~= tenant_id then return { 'not_found' } end
if c.status ~= 'passed' or not c.returnCode then return { 'not_passed', to_flat(c) } end
if c.confirmedAt then return { 'already_confirmed', to_flat(c) } end
if tonumber(c.completedAt) + window_ms < now then return { 'window_closed', to_flat(c) } end
if redis.sha1hex(nonce .. code) ~= redis.sha1hex(nonce .. c.returnCode) then return { 'mismatch', to_flat(c) } end

c.confirmedAt = ARGS[4]
redis.call('HSET', key_challenge(id), 'confirmedAt', c.confirmedAt)
return { 'confirmed', to_flat(c) }
`,
);

/**
 * Pops up to `batch` due deadlines and expires each challenge that is still pending. Because the
 * pop and the state change happen in one script, two processes calling this at once never expire
 * a challenge twice.
 *
 * ARGS: now, event time, event time ISO, batch size. Returns {{expired challenge hashes}, popped
 * count}, so that the caller can report each expiry.
 */
export const expireDueScript = new LuaScript(
  'expire_due',
  `
local now, event_at, event_iso, batch = ARGS[1], ARGS[2], ARGS[3], tonumber(ARGS[4])
local due = redis.call('ZRANGEBYSCORE', key_deadlines(), '-inf', now, 'LIMIT', 0, batch)
local expired = {}
for _, id in ipairs(due) do
  redis.call('ZREM', key_deadlines(), id)
  local c = load_hash(key_challenge(id))
  if c and c.status == 'pending' then
    finish(id, c, 'expired', c.expiresAt, c.expiresAtIso, event_at, event_iso)
    expired[#expired + 1] = to_flat(c)
  end
end
return { expired, #due }
`,
);
