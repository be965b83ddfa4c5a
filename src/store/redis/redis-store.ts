import type { Challenge, CheckOutcome } from '../../challenge/challenge.ts';
import { generateReturnCode } from '../../challenge/return-code.ts';
import { generateEventId, type DeliveryAttempt, type EventRecord } from '../../events/event.ts';
import type { Logger } from '../../log/logger.ts';
import { randomBase64Url } from '../../security/random.ts';
import type {
  ApiKeyRecord,
  AttemptResult,
  CancelResult,
  ChallengeStore,
  ConfirmResult,
  CreateLimits,
  CreateResult,
  DeliveryOutcome,
  EventFilter,
  IdempotencyClaim,
  IdempotentReply,
  RateLimitHit,
  StoreHooks,
} from '../store.ts';
import type { RedisConnection } from './connection.ts';
import { ExpiryPoller } from './expiry-poller.ts';
import type { RedisKeys } from './keys.ts';
import {
  apiKeyFromFields,
  attemptToJson,
  challengeFromFields,
  challengeToFields,
  eventFromFields,
  toHashFields,
  type HashFields,
} from './rows.ts';
import { findApiKeyByHashScript, revokeApiKeyScript, saveApiKeyScript } from './scripts/api-key-scripts.ts';
import {
  cancelChallengeScript,
  confirmReturnCodeScript,
  createChallengeScript,
  expireDueScript,
  findChallengeByTokenScript,
  recordAttemptScript,
} from './scripts/challenge-scripts.ts';
import { leaseDueEventsScript, recordDeliveryScript, redeliverEventScript } from './scripts/event-scripts.ts';
import { claimIdempotencyKeyScript, completeIdempotencyKeyScript, hitRateLimitScript } from './scripts/request-scripts.ts';

/** Challenges one expiry script handles; the store repeats the script until fewer are due. */
const expiryBatchSize = 200;
/** Return code candidates sent with each passing attempt, and rounds tried before giving up. */
const codeCandidatesPerRound = 3;
const codeRounds = 5;
/** Index entries read per round trip when listing a tenant's events. */
const eventPageSize = 100;

export interface RedisStoreParts {
  connection: RedisConnection;
  keys: RedisKeys;
  logger: Logger;
  /** How often the background poller calls expireDue; 0 turns the poller off. */
  expiryIntervalMs: number;
  /** Callbacks for the expiries that this process makes. Each process that shares Redis reports its own. */
  hooks?: StoreHooks;
}

/**
 * The Redis store. Every state change runs as one Lua script, so several askgate processes can
 * share one Redis. A challenge changes state once and attempts never exceed `maxAttempts`. Each
 * terminal change stores its one event in the same script, and one process at a time leases
 * each due event. Finished challenges and delivered, dead or endpoint-less events carry TTLs
 * and vanish after their retention; pending challenges and undelivered events have none.
 *
 * Create it with `openRedisStore`. Every method rejects with StoreUnavailableError when Redis
 * does not answer within the command timeout.
 */
export class RedisStore implements ChallengeStore {
  private readonly connection: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly expiryPoller: ExpiryPoller | null = null;
  private readonly hooks: StoreHooks;

  constructor(parts: RedisStoreParts) {
    this.connection = parts.connection;
    this.keys = parts.keys;
    this.hooks = parts.hooks ?? {};
    if (parts.expiryIntervalMs > 0) {
      this.expiryPoller = new ExpiryPoller((now) => this.expireDue(now), parts.expiryIntervalMs, parts.logger);
    }
  }

  async createChallenge(challenge: Challenge, limits: CreateLimits, now: number): Promise<CreateResult> {
    const pendingKey = this.keys.clientPending(challenge.tenantId, challenge.clientId);
    const eventAt = Date.now();
    const reply = (await this.connection.runScript(createChallengeScript, [
      challenge.id,
      pendingKey,
      challenge.tokenHash,
      String(challenge.expiresAt),
      String(limits.maxPendingTotal),
      String(limits.maxPendingPerClient),
      String(now),
      iso(now),
      String(eventAt),
      iso(eventAt),
      ...challengeToFields(challenge, pendingKey, generateEventId()),
    ])) as [string, unknown[]?];

    if (reply[0] === 'pending_limit') return { created: false, reason: 'pending_limit' };
    const replaced = (reply[1] ?? []).map((row) => challengeFromFields(requireHash(row)));
    return { created: true, replaced };
  }

  async findChallenge(tenantId: string, id: string): Promise<Challenge | null> {
    const fields = toHashFields(await this.connection.send('HGETALL', [this.keys.challenge(id)]));
    if (fields === null || fields.tenantId !== tenantId) return null;
    return challengeFromFields(fields);
  }

  async findChallengeByToken(tokenHash: string): Promise<Challenge | null> {
    const fields = toHashFields(await this.connection.runScript(findChallengeByTokenScript, [tokenHash]));
    return fields === null ? null : challengeFromFields(fields);
  }

  async recordAttempt(id: string, outcome: CheckOutcome, now: number): Promise<AttemptResult> {
    for (let round = 0; round < codeRounds; round++) {
      const candidates = outcome === 'right' ? Array.from({ length: codeCandidatesPerRound }, generateReturnCode) : [];
      const eventAt = Date.now();
      const reply = (await this.connection.runScript(recordAttemptScript, [
        id,
        outcome,
        String(now),
        iso(now),
        String(eventAt),
        iso(eventAt),
        ...candidates,
      ])) as [string, unknown?];

      switch (reply[0]) {
        case 'missing':
          return { recorded: false, challenge: null };
        case 'ended':
          return { recorded: false, challenge: challengeFromFields(requireHash(reply[1])) };
        case 'recorded':
          return { recorded: true, challenge: challengeFromFields(requireHash(reply[1])) };
        case 'code_taken':
          continue;
        default:
          throw unexpectedReply(recordAttemptScript.name, reply[0]);
      }
    }
    throw new Error(`No free return code found in ${codeRounds * codeCandidatesPerRound} random tries for challenge ${id}`);
  }

  async cancelChallenge(tenantId: string, id: string, now: number): Promise<CancelResult> {
    const eventAt = Date.now();
    const reply = (await this.connection.runScript(cancelChallengeScript, [
      tenantId,
      id,
      String(now),
      iso(now),
      String(eventAt),
      iso(eventAt),
    ])) as [string, unknown?];

    switch (reply[0]) {
      case 'not_found':
        return { outcome: 'not_found' };
      case 'not_pending':
      case 'canceled':
        return { outcome: reply[0], challenge: challengeFromFields(requireHash(reply[1])) };
      default:
        throw unexpectedReply(cancelChallengeScript.name, reply[0]);
    }
  }

  async confirmReturnCode(tenantId: string, id: string, code: string, now: number, windowMs: number): Promise<ConfirmResult> {
    const reply = (await this.connection.runScript(confirmReturnCodeScript, [
      tenantId,
      id,
      code,
      String(now),
      String(windowMs),
      randomBase64Url(16),
    ])) as [string, unknown?];

    switch (reply[0]) {
      case 'not_found':
        return { outcome: 'not_found' };
      case 'confirmed':
      case 'mismatch':
      case 'already_confirmed':
      case 'not_passed':
      case 'window_closed':
        return { outcome: reply[0], challenge: challengeFromFields(requireHash(reply[1])) };
      default:
        throw unexpectedReply(confirmReturnCodeScript.name, reply[0]);
    }
  }

  async expireDue(now: number): Promise<number> {
    let expired = 0;
    for (;;) {
      const eventAt = Date.now();
      const [rows, popped] = (await this.connection.runScript(expireDueScript, [
        String(now),
        String(eventAt),
        iso(eventAt),
        String(expiryBatchSize),
      ])) as [unknown[], number];
      expired += rows.length;
      for (const row of rows) this.hooks.onChallengeExpired?.(challengeFromFields(requireHash(row)));
      if (popped < expiryBatchSize) return expired;
    }
  }

  async countPending(): Promise<number> {
    return Number(await this.connection.send('ZCARD', [this.keys.deadlines()]));
  }

  async claimIdempotencyKey(tenantId: string, key: string, fingerprint: string, ttlSeconds: number, now: number): Promise<IdempotencyClaim> {
    const reply = (await this.connection.runScript(claimIdempotencyKeyScript, [
      this.keys.idempotency(tenantId, key),
      fingerprint,
      String(now),
      String(now + ttlSeconds * 1000),
    ])) as [string, string?, string?];

    switch (reply[0]) {
      case 'claimed':
      case 'mismatch':
      case 'in_progress':
        return { state: reply[0] };
      case 'replay':
        return { state: 'replay', reply: { status: Number(reply[1]), body: reply[2] ?? '' } };
      default:
        throw unexpectedReply(claimIdempotencyKeyScript.name, reply[0]);
    }
  }

  async completeIdempotencyKey(tenantId: string, key: string, reply: IdempotentReply): Promise<void> {
    await this.connection.runScript(completeIdempotencyKeyScript, [this.keys.idempotency(tenantId, key), String(reply.status), reply.body]);
  }

  async releaseIdempotencyKey(tenantId: string, key: string): Promise<void> {
    await this.connection.send('DEL', [this.keys.idempotency(tenantId, key)]);
  }

  /** Counts a hit. The window is timed by the Redis server's clock, not by `now`. */
  async hitRateLimit(key: string, limit: number, windowSeconds: number, _now: number): Promise<RateLimitHit> {
    const [count, ttlMs] = (await this.connection.runScript(hitRateLimitScript, [
      this.keys.rateLimit(key),
      String(windowSeconds * 1000),
    ])) as [number, number];
    const allowed = count <= limit;
    return { allowed, count, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(ttlMs / 1000)) };
  }

  async resetRateLimit(key: string): Promise<void> {
    await this.connection.send('DEL', [this.keys.rateLimit(key)]);
  }

  async saveApiKey(record: ApiKeyRecord): Promise<void> {
    await this.connection.runScript(saveApiKeyScript, [
      record.id,
      record.tenantId,
      record.keyHash,
      record.prefix,
      String(record.createdAt),
      record.revokedAt === null ? '' : String(record.revokedAt),
    ]);
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const fields = toHashFields(await this.connection.runScript(findApiKeyByHashScript, [keyHash]));
    return fields === null ? null : apiKeyFromFields(fields);
  }

  async listApiKeys(tenantId: string | null): Promise<ApiKeyRecord[]> {
    const index = tenantId === null ? this.keys.apiKeys() : this.keys.tenantApiKeys(tenantId);
    const ids = (await this.connection.send('ZRANGE', [index, '0', '-1'])) as string[];
    const rows = await Promise.all(ids.map((id) => this.connection.send('HGETALL', [this.keys.apiKey(id)])));
    return rows
      .map(toHashFields)
      .filter((fields): fields is HashFields => fields !== null)
      .map(apiKeyFromFields);
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    return (await this.connection.runScript(revokeApiKeyScript, [id, String(now)])) === 1;
  }

  async listEvents(tenantId: string, filter: EventFilter): Promise<EventRecord[]> {
    if (filter.limit <= 0) return [];
    const matches = (event: EventRecord) =>
      event.tenantId === tenantId &&
      (filter.challengeId === undefined || event.challengeId === filter.challengeId) &&
      (filter.status === undefined || event.status === filter.status);

    // A challenge has at most one event, found through its link key.
    if (filter.challengeId !== undefined) {
      const eventId = (await this.connection.send('GET', [this.keys.challengeEvent(filter.challengeId)])) as string | null;
      const event = eventId === null ? null : await this.readEvent(eventId);
      return event !== null && matches(event) ? [event] : [];
    }

    // NOTE: a status filter reads the tenant's events newest first until `limit` match, so a
    // rare status in a long history costs one round trip per 100 events.
    const index = this.keys.tenantEvents(tenantId);
    const found: EventRecord[] = [];
    let start = 0;
    while (found.length < filter.limit) {
      const ids = (await this.connection.send('ZREVRANGE', [index, String(start), String(start + eventPageSize - 1)])) as string[];
      const events = await Promise.all(ids.map((id) => this.readEvent(id)));
      for (const event of events) {
        if (event !== null && matches(event) && found.length < filter.limit) found.push(event);
      }

      // Entries whose event hash has expired are dropped, and the next page starts that much earlier.
      const expiredIds = ids.filter((_, i) => events[i] === null);
      if (expiredIds.length > 0) await this.connection.send('ZREM', [index, ...expiredIds]);
      if (ids.length < eventPageSize) break;
      start += ids.length - expiredIds.length;
    }
    return found;
  }

  async findEvent(tenantId: string, id: string): Promise<EventRecord | null> {
    const event = await this.readEvent(id);
    return event !== null && event.tenantId === tenantId ? event : null;
  }

  async leaseDueEvents(now: number, limit: number, leaseMs: number): Promise<EventRecord[]> {
    const rows = (await this.connection.runScript(leaseDueEventsScript, [String(now), String(limit), String(now + leaseMs)])) as unknown[];
    return rows.map((row) => eventFromFields(requireHash(row)));
  }

  async recordDelivery(eventId: string, attempt: DeliveryAttempt, outcome: DeliveryOutcome): Promise<void> {
    await this.connection.runScript(recordDeliveryScript, [
      eventId,
      attemptToJson(attempt),
      outcome.status,
      outcome.status === 'pending' ? String(outcome.nextAttemptAt) : '',
      String(Date.now()),
    ]);
  }

  async redeliverEvent(tenantId: string, id: string, now: number): Promise<EventRecord | null> {
    const fields = toHashFields(await this.connection.runScript(redeliverEventScript, [tenantId, id, String(now)]));
    return fields === null ? null : eventFromFields(fields);
  }

  async ping(): Promise<void> {
    await this.connection.send('PING', []);
  }

  /** Stops the expiry poller, waits for a run in progress, then closes the connection. */
  async close(): Promise<void> {
    await this.expiryPoller?.stop();
    this.connection.close();
  }

  private async readEvent(id: string): Promise<EventRecord | null> {
    const fields = toHashFields(await this.connection.send('HGETALL', [this.keys.event(id)]));
    return fields === null ? null : eventFromFields(fields);
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function requireHash(reply: unknown): HashFields {
  const fields = toHashFields(reply);
  if (fields === null) throw new Error('A Redis script returned an empty hash where a record was expected');
  return fields;
}

function unexpectedReply(scriptName: string, reply: unknown): Error {
  return new Error(`The Redis script ${scriptName} returned the unexpected status ${JSON.stringify(reply)}`);
}
