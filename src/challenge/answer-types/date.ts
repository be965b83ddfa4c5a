import { toAsciiDigits } from './digits.ts';

/** The order of day, month and year in a customer's local date format. */
export type DateOrder = 'dmy' | 'mdy';

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks that `text` is an ISO 8601 calendar date (yyyy-mm-dd) that exists, such as 1990-04-12,
 * and returns it. Returns null for anything else, including 1990-02-30 and 1990-4-12.
 * Expected answers of `date` questions must have this form.
 */
export function parseIsoDate(text: string): string | null {
  const match = isoPattern.exec(text.trim());
  if (match === null) return null;
  return isoDateOf(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * Normalises a customer's date to ISO yyyy-mm-dd. Accepts the ISO form, or day, month and year
 * in `order` separated by "/", "-", "." or spaces ("31/12/1990", "12.31.1990" for mdy), or as
 * eight digits without separators ("31121990"). Day and month may have one digit; the year needs
 * four, because a two-digit year is ambiguous for dates of birth. Digits of any script count.
 * Returns null when the text is not a date that exists.
 */
export function normaliseDate(text: string, order: DateOrder): string | null {
  const compact = toAsciiDigits(text).trim();
  const iso = parseIsoDate(compact);
  if (iso !== null) return iso;

  const parts = /^(\d{1,2})[/.\s-]+(\d{1,2})[/.\s-]+(\d{4})$/.exec(compact) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(compact);
  if (parts === null) return null;

  const first = Number(parts[1]);
  const second = Number(parts[2]);
  const year = Number(parts[3]);
  return order === 'dmy' ? isoDateOf(year, second, first) : isoDateOf(year, first, second);
}

function isoDateOf(year: number, month: number, day: number): string | null {
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
