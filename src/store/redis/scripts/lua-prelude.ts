import { luaKeyFunctions } from '../keys.ts';

/**
 * Lua code placed in front of every script. It reads the arguments that the connection passes
 * to all scripts (ARGV[1] prefix, ARGV[2] challenge retention in ms, ARGV[3] event retention in
 * ms) and moves the script's own arguments to `ARGS`, starting at 1.
 *
 * Scripts derive most key names inside Lua (from a challenge's fields or a sorted set's
 * members), so they cannot list them in KEYS. That works on a single Redis server, with or
 * without replicas, but not on Redis Cluster, which Bun's client does not support either.
 *
 * Why the event body is built in Lua: whether an attempt passes, fails or only counts is decided
 * inside the script, and the event must be stored in the same atomic step as that decision.
 * Returning the challenge and storing the event in a second call would lose the event if the
 * process died between the two calls. So `build_event_body` writes the same JSON text as
 * `buildChallengeEvent` in src/events/event.ts, and test/store/redis-event-body.test.ts checks
 * that both agree. Values that need JSON escaping (ids, client id, metadata) are serialised by
 * JSON.stringify when the challenge is created and stored as ready fragments. Lua only joins
 * them with numbers, status names, ISO times and return codes, none of which need escaping.
 */
export const luaPrelude = `
local PREFIX = ARGV[1]
local RETENTION_MS = tonumber(ARGV[2])
local EVENT_RETENTION_MS = tonumber(ARGV[3])
local ARGS = {}
for i = 4, #ARGV do ARGS[i - 3] = ARGV[i] end

${luaKeyFunctions()}

-- Integers leave Lua through this, because Redis would format a large Lua number with an exponent.
local function int(n) return string.format('%d', n) end

local function to_map(flat)
  local map = {}
  for i = 1, #flat, 2 do map[flat[i]] = flat[i + 1] end
  return map
end

local function to_flat(map)
  local flat = {}
  for field, value in pairs(map) do
    flat[#flat + 1] = field
    flat[#flat + 1] = value
  end
  return flat
end

local function load_hash(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  return to_map(flat)
end

local EVENT_TYPES = {
  passed = 'challenge.passed',
  failed = 'challenge.failed',
  expired = 'challenge.expired',
  canceled = 'challenge.canceled',
}

-- The same JSON text as buildChallengeEvent: {type, timestamp, data} with data fields in the same order.
local function build_event_body(c, completed_iso, timestamp_iso)
  local parts = {
    '{"type":"', EVENT_TYPES[c.status], '","timestamp":"', timestamp_iso, '","data":{',
    c.bodyHead,
    ',"status":"', c.status, '"',
    ',"attempts":', c.attempts,
    ',"max_attempts":', c.maxAttempts,
    ',"created_at":"', c.createdAtIso, '"',
    ',"expires_at":"', c.expiresAtIso, '"',
    ',"completed_at":"', completed_iso, '"',
  }
  if c.status == 'passed' and c.returnCode then
    parts[#parts + 1] = ',"return_code":"' .. c.returnCode .. '"'
  end
  parts[#parts + 1] = ',"metadata":' .. c.bodyMetadata .. '}}'
  return table.concat(parts)
end

local function expire_event(event_id, challenge_id, at)
  redis.call('PEXPIREAT', key_event(event_id), at)
  redis.call('PEXPIREAT', key_challenge_event(challenge_id), at)
end

local function persist_event(event_id, challenge_id)
  redis.call('PERSIST', key_event(event_id))
  redis.call('PERSIST', key_challenge_event(challenge_id))
end

-- Drops up to 5 of the oldest index entries whose event hash has expired.
local function prune_tenant_events(tenant_id, now)
  local index = key_tenant_events(tenant_id)
  local old = redis.call('ZRANGEBYSCORE', index, '-inf', int(now - EVENT_RETENTION_MS), 'LIMIT', 0, 5)
  for _, event_id in ipairs(old) do
    if redis.call('EXISTS', key_event(event_id)) == 0 then redis.call('ZREM', index, event_id) end
  end
end

-- Stores the one event of challenge c. An event with a webhook URL is due at once and has no TTL
-- until it is delivered or dead; one without is kept for the event retention.
local function store_event(challenge_id, c, body, event_at)
  local event_id = c.eventId
  local fields = {
    'id', event_id, 'tenantId', c.tenantId, 'challengeId', challenge_id, 'type', EVENT_TYPES[c.status],
    'createdAt', event_at, 'body', body, 'attempts', '[]',
  }
  if c.webhookUrl then
    for _, item in ipairs({ 'webhookUrl', c.webhookUrl, 'status', 'pending', 'nextAttemptAt', event_at }) do
      fields[#fields + 1] = item
    end
  else
    fields[#fields + 1] = 'status'
    fields[#fields + 1] = 'no_endpoint'
  end

  redis.call('HSET', key_event(event_id), unpack(fields))
  redis.call('SET', key_challenge_event(challenge_id), event_id)
  redis.call('ZADD', key_tenant_events(c.tenantId), event_at, event_id)
  if c.webhookUrl then
    redis.call('ZADD', key_due_events(), event_at, event_id)
  else
    expire_event(event_id, challenge_id, int(tonumber(event_at) + EVENT_RETENTION_MS))
  end
  prune_tenant_events(c.tenantId, tonumber(event_at))
end

-- Moves the pending challenge c to a terminal status, starts its retention and stores its event.
-- Callers check that c is pending, so this runs at most once per challenge; c.attempts and
-- c.returnCode must already hold their final values.
local function finish(challenge_id, c, status, completed_at, completed_iso, event_at, event_iso)
  c.status = status
  c.completedAt = completed_at
  local key = key_challenge(challenge_id)
  redis.call('HSET', key, 'status', status, 'completedAt', completed_at, 'attempts', c.attempts)
  if c.returnCode then redis.call('HSET', key, 'returnCode', c.returnCode) end
  redis.call('ZREM', key_deadlines(), challenge_id)
  redis.call('ZREM', c.pendingKey, challenge_id)

  local purge_at = int(tonumber(completed_at) + RETENTION_MS)
  redis.call('PEXPIREAT', key, purge_at)
  redis.call('PEXPIREAT', key_token(c.tokenHash), purge_at)
  if c.returnCode then redis.call('PEXPIREAT', key_return_code(c.returnCode), purge_at) end

  store_event(challenge_id, c, build_event_body(c, completed_iso, event_iso), event_at)
end
`;
