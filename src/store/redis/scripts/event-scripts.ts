import { LuaScript } from './lua-script.ts';

/**
 * Leases up to `limit` due pending events by moving each one's score in the due set to the end
 * of its lease. Another process that runs this script reads the new score and skips the event
 * until the lease lapses.
 *
 * ARGS: now, limit, lease end. Returns the leased event hashes.
 */
export const leaseDueEventsScript = new LuaScript(
  'lease_due_events',
  `
local now, limit, lease_until = ARGS[1], tonumber(ARGS[2]), ARGS[3]
local leased = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', key_due_events(), '-inf', now, 'LIMIT', 0, limit)) do
  local event = load_hash(key_event(id))
  if event and event.status == 'pending' then
    redis.call('HSET', key_event(id), 'leaseUntil', lease_until)
    redis.call('ZADD', key_due_events(), lease_until, id)
    event.leaseUntil = lease_until
    leased[#leased + 1] = to_flat(event)
  else
    redis.call('ZREM', key_due_events(), id)
  end
end
return leased
`,
);

/**
 * Appends one try (a JSON object) to the event's `attempts` array, sets the new status and drops
 * the lease. A delivered or dead event starts its retention: it expires `EVENT_RETENTION_MS`
 * after its creation, or after now when that time has already passed.
 *
 * ARGS: event id, attempt JSON, status, next attempt time ('' unless pending), now. Returns 1, or 0
 * when the event does not exist.
 */
export const recordDeliveryScript = new LuaScript(
  'record_delivery',
  `
local id, attempt, status, next_attempt_at, now = ARGS[1], ARGS[2], ARGS[3], ARGS[4], tonumber(ARGS[5])
local key = key_event(id)
local event = load_hash(key)
if not event then return 0 end

local attempts = attempt
if event.attempts == '[]' then
  attempts = '[' .. attempt .. ']'
else
  attempts = string.sub(event.attempts, 1, -2) .. ',' .. attempt .. ']'
end
redis.call('HSET', key, 'attempts', attempts, 'status', status)
redis.call('HDEL', key, 'leaseUntil')

if status == 'pending' then
  redis.call('HSET', key, 'nextAttemptAt', next_attempt_at)
  redis.call('ZADD', key_due_events(), next_attempt_at, id)
else
  redis.call('HDEL', key, 'nextAttemptAt')
  redis.call('ZREM', key_due_events(), id)
  local expire_at = tonumber(event.createdAt) + EVENT_RETENTION_MS
  if expire_at <= now then expire_at = now + EVENT_RETENTION_MS end
  expire_event(id, event.challengeId, int(expire_at))
end
return 1
`,
);

/**
 * Makes an event with a webhook URL pending and due now, whatever its state, and removes its TTL
 * until it is delivered or dead again. An event without a URL is returned unchanged.
 *
 * ARGS: tenant id, event id, now. Returns the event hash, or an empty array when not found.
 */
export const redeliverEventScript = new LuaScript(
  'redeliver_event',
  `
local tenant_id, id, now = ARGS[1], ARGS[2], ARGS[3]
local key = key_event(id)
local event = load_hash(key)
if not event or event.tenantId ~= tenant_id then return {} end
if not event.webhookUrl then return to_flat(event) end

redis.call('HSET', key, 'status', 'pending', 'nextAttemptAt', now)
redis.call('HDEL', key, 'leaseUntil')
redis.call('ZADD', key_due_events(), now, id)
persist_event(id, event.challengeId)
event.status = 'pending'
event.nextAttemptAt = now
event.leaseUntil = nil
return to_flat(event)
`,
);
