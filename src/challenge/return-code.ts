import { randomFromAlphabet } from '../security/random.ts';

/**
 * Upper-case letters and digits without the look-alikes 0/O, 1/I/L, so that a customer or an
 * agent can read the code from a chat message without mistakes.
 */
export const returnCodeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const returnCodeLength = 7;

/** Generates a fresh return code. Uniqueness among live challenges is the store's job. */
export function generateReturnCode(): string {
  return randomFromAlphabet(returnCodeAlphabet, returnCodeLength);
}
