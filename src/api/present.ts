import type { Challenge } from '../challenge/challenge.ts';

const iso = (epochMs: number) => new Date(epochMs).toISOString();

/** The challenge as GET returns it: no page token, no question, no answer hash. */
export function presentChallenge(challenge: Challenge) {
  return {
    id: challenge.id,
    client_id: challenge.clientId,
    status: challenge.status,
    attempts: challenge.attempts,
    max_attempts: challenge.maxAttempts,
    created_at: iso(challenge.createdAt),
    expires_at: iso(challenge.expiresAt),
    ...(challenge.completedAt !== null ? { completed_at: iso(challenge.completedAt) } : {}),
    ...(challenge.status === 'passed' && challenge.returnCode !== null ? { return_code: challenge.returnCode } : {}),
    ...(challenge.confirmedAt !== null ? { confirmed_at: iso(challenge.confirmedAt) } : {}),
    metadata: challenge.metadata,
  };
}

/** The 201 body of a new challenge; the only place the page URL appears. */
export function presentCreated(challenge: Challenge, pageUrl: string) {
  return {
    id: challenge.id,
    url: pageUrl,
    status: 'pending' as const,
    expires_at: iso(challenge.expiresAt),
    client_id: challenge.clientId,
  };
}
