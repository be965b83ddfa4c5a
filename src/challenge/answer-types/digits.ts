const decimalDigit = /\p{Nd}/u;

/**
 * Replaces every Unicode decimal digit with its ASCII form, so that answers typed with
 * Arabic-Indic (٣), Persian (۳), Devanagari (३), full-width (３) or other digits compare equal
 * to ASCII ones. Other characters are left as they are.
 */
export function toAsciiDigits(text: string): string {
  return text.normalize('NFKC').replace(/\p{Nd}/gu, (digit) => String(digitValue(digit)));
}

/**
 * Unicode encodes each script's decimal digits as one run of ten code points, zero first, and
 * runs that touch each other are each ten long. So a digit's value is its distance from the start
 * of the unbroken stretch of digits it sits in, modulo ten.
 */
function digitValue(digit: string): number {
  const codePoint = digit.codePointAt(0) as number;
  let start = codePoint;
  while (start > 0 && decimalDigit.test(String.fromCodePoint(start - 1))) start -= 1;
  return (codePoint - start) % 10;
}
