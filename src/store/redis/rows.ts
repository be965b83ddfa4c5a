import type { Challenge, ChallengeStatus } from '../../challenge/challenge.ts';
import type { DeliveryAttempt, DeliveryStatus, EventRecord, EventType } from '../../events/event.ts';
import type { ApiKeyRecord } from '../store.ts';

/** A Redis hash as field → value. */
export type HashFields = Record<string, string>;

/**
 * Reads a hash from a reply: HGETALL through RESP3 arrives as an object, while a hash returned by
 * a Lua script arrives as a flat [field, value, …] array.
 */
export function toHashFields(reply: unknown): HashFields | null {
  if (Array.isArray(reply)) {
    if (reply.length === 0) return null;
    const fields: HashFields = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return fields;
  }
  if (reply !== null && typeof reply === 'object') {
    const entries = Object.entries(reply as Record<string, unknown>);
    if (entries.length === 0) return null;
    return Object.fromEntries(entries.map(([field, value]) => [field, String(value)]));
  }
  return null;
}

/**
 * Builds the hash fields of a new challenge. `doc` is the challenge as created, and the fields
 * that change later (status, attempts, completedAt, returnCode, confirmedAt) are kept beside it
 * and win on reading. The other fields are what the Lua scripts need without parsing JSON,
 * including the ready JSON fragments of the event body.
 */
export function challengeToFields(challenge: Challenge, pendingKey: string, eventId: string): string[] {
  const idAndClient = JSON.stringify({ id: challenge.id, client_id: challenge.clientId });
  const fields: Record<string, string> = {
    doc: JSON.stringify(challenge),
    tenantId: challenge.tenantId,
    tokenHash: challenge.tokenHash,
    pendingKey,
    eventId,
    status: challenge.status,
    attempts: String(challenge.attempts),
    maxAttempts: String(challenge.maxAttempts),
    expiresAt: String(challenge.expiresAt),
    createdAtIso: new Date(challenge.createdAt).toISOString(),
    expiresAtIso: new Date(challenge.expiresAt).toISOString(),
    bodyHead: idAndClient.slice(1, -1),
    bodyMetadata: JSON.stringify(challenge.metadata),
  };
  if (challenge.webhookUrl !== null) fields.webhookUrl = challenge.webhookUrl;
  return Object.entries(fields).flat();
}

export function challengeFromFields(fields: HashFields): Challenge {
  const doc = JSON.parse(requireField(fields, 'doc')) as Challenge;
  return {
    ...doc,
    status: requireField(fields, 'status') as ChallengeStatus,
    attempts: Number(requireField(fields, 'attempts')),
    completedAt: optionalNumber(fields.completedAt),
    returnCode: fields.returnCode ?? null,
    confirmedAt: optionalNumber(fields.confirmedAt),
  };
}

export function eventFromFields(fields: HashFields): EventRecord {
  return {
    id: requireField(fields, 'id'),
    tenantId: requireField(fields, 'tenantId'),
    challengeId: requireField(fields, 'challengeId'),
    type: requireField(fields, 'type') as EventType,
    createdAt: Number(requireField(fields, 'createdAt')),
    body: requireField(fields, 'body'),
    webhookUrl: fields.webhookUrl ?? null,
    status: requireField(fields, 'status') as DeliveryStatus,
    attempts: JSON.parse(fields.attempts ?? '[]') as DeliveryAttempt[],
    nextAttemptAt: optionalNumber(fields.nextAttemptAt),
    leaseUntil: optionalNumber(fields.leaseUntil),
  };
}

/** Serialises one delivery try with the same keys as DeliveryAttempt. */
export function attemptToJson(attempt: DeliveryAttempt): string {
  return JSON.stringify({ at: attempt.at, status: attempt.status, error: attempt.error, durationMs: attempt.durationMs });
}

export function apiKeyFromFields(fields: HashFields): ApiKeyRecord {
  return {
    id: requireField(fields, 'id'),
    tenantId: requireField(fields, 'tenantId'),
    keyHash: requireField(fields, 'keyHash'),
    prefix: requireField(fields, 'prefix'),
    createdAt: Number(requireField(fields, 'createdAt')),
    revokedAt: optionalNumber(fields.revokedAt),
  };
}

function requireField(fields: HashFields, name: string): string {
  const value = fields[name];
  if (value === undefined) throw new Error(`Redis hash is missing the field "${name}"; the key was written by another version or changed by hand`);
  return value;
}

function optionalNumber(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}
