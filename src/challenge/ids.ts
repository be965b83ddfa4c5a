import { randomBase64Url } from '../security/random.ts';

/** Challenge ids: `chl_` and 16 random bytes. An id never grants access to the page. */
export function generateChallengeId(): string {
  return 'chl_' + randomBase64Url(16);
}

/** Page tokens: 24 random bytes (192 bits), base64url. Only their SHA-256 is stored. */
export function generatePageToken(): string {
  return randomBase64Url(24);
}

/** Request ids: `req_` and 12 random bytes, echoed in problem documents and logs. */
export function generateRequestId(): string {
  return 'req_' + randomBase64Url(12);
}

export const challengeIdPattern = '^chl_[A-Za-z0-9_-]{22}$';
