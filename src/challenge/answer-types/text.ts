/**
 * Normalises a free-text answer so that the bot's expected answer and the customer's input
 * compare equal when a person would call them the same: Unicode NFKC (full-width letters and
 * digits become ASCII), diacritics removed ("José" → "jose"), case folded, surrounding
 * whitespace trimmed and inner runs of whitespace collapsed to one space.
 *
 * Emoji and other symbols are kept, but combining marks are removed with the diacritics: that
 * includes emoji variation selectors and the keycap mark, so "❤️" equals "❤" and "1️⃣" equals "1".
 */
export function normaliseText(answer: string): string {
  return answer
    .normalize('NFKD')
    .replace(/\p{Mark}/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}
