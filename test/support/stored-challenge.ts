import type { Challenge } from '../../src/challenge/challenge.ts';
import { generateChallengeId } from '../../src/challenge/ids.ts';
import { randomBase64Url } from '../../src/security/random.ts';

/**
 * Builds a pending challenge record with a fresh id, client id and token hash, as the stores
 * receive it from createChallenge. Tests and benchmarks share it, so it must not import bun:test.
 */
export function makeChallenge(overrides: Partial<Challenge> = {}): Challenge {
  const now = Date.now();
  return {
    id: generateChallengeId(),
    tenantId: 'tenant-a',
    clientId: 'client-' + randomBase64Url(6),
    tokenHash: randomBase64Url(32),
    questions: [{ id: 'q1', prompt: 'What is your date of birth?', type: 'text', answerHash: randomBase64Url(32) }],
    verifier: { kind: 'hash' },
    returnTarget: { channel: 'whatsapp', digits: '5491122334455', text: null },
    locale: null,
    metadata: { conversation: 'abc' },
    status: 'pending',
    attempts: 0,
    maxAttempts: 3,
    createdAt: now,
    expiresAt: now + 60_000,
    completedAt: null,
    returnCode: null,
    confirmedAt: null,
    webhookUrl: 'http://127.0.0.1:9/hook',
    ...overrides,
  };
}
