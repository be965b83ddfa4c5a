import { constantTimeEqual, hmacSha256 } from '../../security/digest.ts';

/**
 * Computes the keyed hash kept in place of an expected answer. `normalisedAnswer` must already
 * be normalised by the question's type (see answer-types), both at creation and when checking.
 * The challenge and question ids are part of the message, so equal answers in two challenges
 * hash differently.
 */
export function hashAnswer(secret: string, challengeId: string, questionId: string, normalisedAnswer: string): string {
  return hmacSha256(secret, `askgate answer v1\n${challengeId}\n${questionId}\n${normalisedAnswer}`);
}

/** Checks a normalised submitted answer against the stored hash in constant time. */
export function matchesAnswerHash(
  secret: string,
  challengeId: string,
  questionId: string,
  normalisedAnswer: string,
  expectedHash: string,
): boolean {
  return constantTimeEqual(hashAnswer(secret, challengeId, questionId, normalisedAnswer), expectedHash);
}
