import type { Challenge, ChallengeStatus } from '../../challenge/challenge.ts';
import type { DeliveryStatus, EventRecord, EventType } from '../../events/event.ts';
import type { ApiKeyRecord } from '../store.ts';

/**
 * Row shapes of the SQLite tables and their mapping to domain records. Column names are
 * snake_case. With `strict: true`, bun:sqlite binds an object key `id` to the parameter `$id`.
 * JSON fields are stored as JSON text.
 */

export type ChallengeRow = {
  id: string;
  tenant_id: string;
  client_id: string;
  token_hash: string;
  questions: string;
  verifier: string;
  return_target: string;
  locale: string | null;
  metadata: string;
  status: ChallengeStatus;
  attempts: number;
  max_attempts: number;
  created_at: number;
  expires_at: number;
  completed_at: number | null;
  return_code: string | null;
  confirmed_at: number | null;
  webhook_url: string | null;
};

export type EventRow = {
  id: string;
  tenant_id: string;
  challenge_id: string;
  type: EventType;
  created_at: number;
  body: string;
  webhook_url: string | null;
  status: DeliveryStatus;
  attempts: string;
  next_attempt_at: number | null;
  lease_until: number | null;
};

export type ApiKeyRow = {
  id: string;
  tenant_id: string;
  key_hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
};

export function challengeToRow(challenge: Challenge): ChallengeRow {
  return {
    id: challenge.id,
    tenant_id: challenge.tenantId,
    client_id: challenge.clientId,
    token_hash: challenge.tokenHash,
    questions: JSON.stringify(challenge.questions),
    verifier: JSON.stringify(challenge.verifier),
    return_target: JSON.stringify(challenge.returnTarget),
    locale: challenge.locale,
    metadata: JSON.stringify(challenge.metadata),
    status: challenge.status,
    attempts: challenge.attempts,
    max_attempts: challenge.maxAttempts,
    created_at: challenge.createdAt,
    expires_at: challenge.expiresAt,
    completed_at: challenge.completedAt,
    return_code: challenge.returnCode,
    confirmed_at: challenge.confirmedAt,
    webhook_url: challenge.webhookUrl,
  };
}

export function challengeFromRow(row: ChallengeRow): Challenge {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    tokenHash: row.token_hash,
    questions: JSON.parse(row.questions),
    verifier: JSON.parse(row.verifier),
    returnTarget: JSON.parse(row.return_target),
    locale: row.locale,
    metadata: JSON.parse(row.metadata),
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
    returnCode: row.return_code,
    confirmedAt: row.confirmed_at,
    webhookUrl: row.webhook_url,
  };
}

export function eventToRow(event: EventRecord): EventRow {
  return {
    id: event.id,
    tenant_id: event.tenantId,
    challenge_id: event.challengeId,
    type: event.type,
    created_at: event.createdAt,
    body: event.body,
    webhook_url: event.webhookUrl,
    status: event.status,
    attempts: JSON.stringify(event.attempts),
    next_attempt_at: event.nextAttemptAt,
    lease_until: event.leaseUntil,
  };
}

export function eventFromRow(row: EventRow): EventRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    challengeId: row.challenge_id,
    type: row.type,
    createdAt: row.created_at,
    body: row.body,
    webhookUrl: row.webhook_url,
    status: row.status,
    attempts: JSON.parse(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
  };
}

export function apiKeyToRow(record: ApiKeyRecord): ApiKeyRow {
  return {
    id: record.id,
    tenant_id: record.tenantId,
    key_hash: record.keyHash,
    prefix: record.prefix,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
  };
}

export function apiKeyFromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    keyHash: row.key_hash,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
