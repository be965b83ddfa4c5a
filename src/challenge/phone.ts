/** E.164: a plus sign, a non-zero country digit and 7 to 15 digits in all. */
export const e164Pattern = '^\\+[1-9][0-9]{6,14}$';

/**
 * Converts an E.164 number (spaces, dashes, dots and brackets tolerated) to the bare digits
 * that `wa.me` links take. Returns null when what remains is not a valid E.164 number.
 */
export function phoneToDigits(phone: string): string | null {
  const compact = phone.replace(/[\s\-.()]/g, '');
  if (!new RegExp(e164Pattern).test(compact)) return null;
  return compact.slice(1);
}
