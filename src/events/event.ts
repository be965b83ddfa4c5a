import type { Challenge, ChallengeStatus } from '../challenge/challenge.ts';
import { randomBase64Url } from '../security/random.ts';

export type EventType = 'challenge.passed' | 'challenge.failed' | 'challenge.expired' | 'challenge.canceled';

/**
 * Delivery state of an event: `pending` until a receiver accepts it (or while retries remain),
 * `delivered` once one did, `dead` when every retry failed, `no_endpoint` when no webhook URL was
 * configured for the challenge (the event can still be read through the API).
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'no_endpoint';

/** One try to deliver an event. */
export interface DeliveryAttempt {
  /** Epoch milliseconds. */
  at: number;
  /** HTTP status of the receiver's reply; null when no reply came. */
  status: number | null;
  /** Reason the try failed (timed out, connection refused, status 500…); null on success. */
  error: string | null;
  durationMs: number;
}

/** An event and its delivery state, as stores keep it. */
export interface EventRecord {
  id: string;
  tenantId: string;
  challengeId: string;
  type: EventType;
  createdAt: number;
  /** The exact JSON body that is signed and sent on every try. */
  body: string;
  webhookUrl: string | null;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** When the next try is due; null unless status is pending. */
  nextAttemptAt: number | null;
  /** End of the lease a worker has on the event; null when no worker has one. */
  leaseUntil: number | null;
}

const eventTypes: Record<Exclude<ChallengeStatus, 'pending'>, EventType> = {
  passed: 'challenge.passed',
  failed: 'challenge.failed',
  expired: 'challenge.expired',
  canceled: 'challenge.canceled',
};

/** Generates an event id: `evt_` and 16 random bytes. The same id is sent on every try. */
export function generateEventId(): string {
  return 'evt_' + randomBase64Url(16);
}

/**
 * Builds the event for a challenge that just reached a terminal state. The envelope follows the
 * Standard Webhooks shape `{type, timestamp, data}`. It carries no answer, no answer hash and no
 * page token; the return code is included only for `challenge.passed`.
 */
export function buildChallengeEvent(challenge: Challenge, now: number, eventId = generateEventId()): EventRecord {
  if (challenge.status === 'pending') throw new Error(`challenge ${challenge.id} is still pending`);
  const type = eventTypes[challenge.status];
  const iso = (epochMs: number) => new Date(epochMs).toISOString();
  const data = {
    id: challenge.id,
    client_id: challenge.clientId,
    status: challenge.status,
    attempts: challenge.attempts,
    max_attempts: challenge.maxAttempts,
    created_at: iso(challenge.createdAt),
    expires_at: iso(challenge.expiresAt),
    completed_at: iso(challenge.completedAt ?? now),
    ...(challenge.status === 'passed' && challenge.returnCode !== null ? { return_code: challenge.returnCode } : {}),
    metadata: challenge.metadata,
  };
  const body = JSON.stringify({ type, timestamp: iso(now), data });
  const hasEndpoint = challenge.webhookUrl !== null;
  return {
    id: eventId,
    tenantId: challenge.tenantId,
    challengeId: challenge.id,
    type,
    createdAt: now,
    body,
    webhookUrl: challenge.webhookUrl,
    status: hasEndpoint ? 'pending' : 'no_endpoint',
    attempts: [],
    nextAttemptAt: hasEndpoint ? now : null,
    leaseUntil: null,
  };
}
