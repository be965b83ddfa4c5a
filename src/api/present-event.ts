import type { EventRecord } from '../events/event.ts';

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** The event as the API returns it: delivery state, every try, and the signed body parsed. */
export function presentEvent(event: EventRecord) {
  return {
    id: event.id,
    type: event.type,
    challenge_id: event.challengeId,
    created_at: iso(event.createdAt),
    status: event.status,
    attempts: event.attempts.map((attempt) => ({
      at: iso(attempt.at),
      status: attempt.status,
      error: attempt.error,
      duration_ms: attempt.durationMs,
    })),
    next_attempt_at: event.nextAttemptAt === null ? null : iso(event.nextAttemptAt),
    payload: JSON.parse(event.body),
  };
}
