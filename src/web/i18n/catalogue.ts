import { supportedLocales, type Locale } from '../../config/config.ts';
import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { pt } from './pt.ts';

export const catalogues: Record<Locale, Record<MessageKey, string>> = { en, es, pt };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Returns a translator for `locale`; `{name}` placeholders are replaced by `params`. */
export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  return (key, params = {}) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function toSupported(tag: string): Locale | null {
  const language = tag.trim().toLowerCase().split('-')[0] ?? '';
  return (supportedLocales as readonly string[]).includes(language) ? (language as Locale) : null;
}

/**
 * Picks the page language: the challenge's locale, else the best supported language in
 * `Accept-Language` (by q-value), else the operator's default.
 */
export function resolveLocale(challengeLocale: string | null, acceptLanguage: string | null, fallback: Locale): Locale {
  if (challengeLocale !== null) {
    const chosen = toSupported(challengeLocale);
    if (chosen !== null) return chosen;
  }
  if (acceptLanguage) {
    const ranked = acceptLanguage
      .split(',')
      .slice(0, 20)
      .map((part, index) => {
        const [tag = '', ...options] = part.split(';');
        const q = options.map((option) => /^\s*q=([0-9.]+)\s*$/.exec(option)?.[1]).find(Boolean);
        return { tag, weight: q === undefined ? 1 : Number(q), index };
      })
      .filter((entry) => entry.weight > 0)
      .sort((a, b) => b.weight - a.weight || a.index - b.index);
    for (const entry of ranked) {
      const chosen = toSupported(entry.tag);
      if (chosen !== null) return chosen;
    }
  }
  return fallback;
}
