import { toAsciiDigits } from './digits.ts';

export const maxNumberDigits = 30;

/**
 * Normalises a `number` answer to its ASCII digits. Spaces, hyphens, dots and commas are taken
 * as group separators and dropped ("1 234-5" → "12345"); leading zeros are kept, because the
 * type is meant for identifiers such as account numbers or the last digits of a card.
 * Returns null when anything else remains, or when there are no digits or more than 30.
 */
export function normaliseNumber(answer: string): string | null {
  const digits = toAsciiDigits(answer).replace(/[\s.,-]/gu, '');
  if (!/^[0-9]+$/.test(digits) || digits.length > maxNumberDigits) return null;
  return digits;
}
