import { toAsciiDigits } from './digits.ts';

export const minPinDigits = 4;
export const maxPinDigits = 12;

/**
 * Normalises a `pin` answer to its ASCII digits. Only whitespace is dropped: a PIN is typed
 * masked, so a stray space is likely, a separator is not. Returns null when anything but digits
 * remains, or when the PIN is not 4 to 12 digits long.
 */
export function normalisePin(answer: string): string | null {
  const digits = toAsciiDigits(answer).replace(/\s/gu, '');
  if (!/^[0-9]+$/.test(digits)) return null;
  if (digits.length < minPinDigits || digits.length > maxPinDigits) return null;
  return digits;
}
