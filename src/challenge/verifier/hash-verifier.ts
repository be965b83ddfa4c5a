import { constantTimeEqual, hmacSha256 } from '../../security/digest.ts';
import { normaliseText } from '../normalise.ts';

/**
 * Computes the keyed hash kept in place of an expected answer. The challenge and question ids
 * are part of the message, so equal answers in two challenges hash differently.
 */
export function hashAnswer(secret: string, challengeId: string, questionId: string, answer: string): string {
  return hmacSha256(secret, `askgate answer v1\n${challengeId}\n${questionId}\n${normaliseText(answer)}`);
}

/** Checks a submitted answer against the stored hash in constant time. */
export function matchesAnswerHash(
  secret: string,
  challengeId: string,
  questionId: string,
  submitted: string,
  expectedHash: string,
): boolean {
  return constantTimeEqual(hashAnswer(secret, challengeId, questionId, submitted), expectedHash);
}
