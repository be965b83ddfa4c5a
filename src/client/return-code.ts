import { returnCodeAlphabet, returnCodeLength } from '../challenge/return-code.ts';

const codeCharacters = `[${returnCodeAlphabet}${returnCodeAlphabet.toLowerCase()}]`;
/** A run of exactly seven code characters with no letter or digit on either side. */
const candidatePattern = new RegExp(`(?<![\\p{L}\\p{N}])${codeCharacters}{${returnCodeLength}}(?![\\p{L}\\p{N}])`, 'gu');

/**
 * Finds every distinct return code candidate in free chat text, upper-cased, in order of first
 * appearance. A candidate is a word of exactly seven characters from the return code alphabet,
 * in any case. Ordinary words can qualify too ("Payment" does), so confirm each candidate
 * through `POST /v1/challenges/{id}/confirm` rather than trusting the first.
 *
 * @example findReturnCodes('Back from verification K7P2QXA') // ['K7P2QXA']
 */
export function findReturnCodes(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(candidatePattern)) {
    const code = match[0].toUpperCase();
    if (!found.includes(code)) found.push(code);
  }
  return found;
}

/**
 * Finds the return code in free chat text and returns it upper-cased, or null when there is
 * none. When several words qualify, one written in upper case (as askgate sends it) wins over
 * one in mixed or lower case. Among equals, the first wins.
 *
 * @example findReturnCode('Back from verification k7p2qxa') // 'K7P2QXA'
 */
export function findReturnCode(text: string): string | null {
  let first: string | null = null;
  for (const match of text.matchAll(candidatePattern)) {
    if (match[0] === match[0].toUpperCase()) return match[0];
    first ??= match[0].toUpperCase();
  }
  return first;
}
