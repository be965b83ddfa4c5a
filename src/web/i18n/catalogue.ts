import { supportedLocales, type Locale } from '../../config/config.ts';
import { ar } from './ar.ts';
import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { id } from './id.ts';
import { pt } from './pt.ts';

export const catalogues: Record<Locale, Record<MessageKey, string>> = { en, es, pt, fr, id, ar };

/** Texts an operator replaces for one tenant, per locale (see the tenants file). */
export type MessageOverrides = Partial<Record<Locale, Partial<Record<MessageKey, string>>>>;

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Locales written right to left. */
const rightToLeftLocales: ReadonlySet<Locale> = new Set(['ar']);

/** Older or alternative language subtags that browsers still send for a supported locale. */
const languageAliases: Record<string, Locale> = { in: 'id' };

/**
 * Returns a translator for `locale`; `{name}` placeholders are replaced by `params`. A text in
 * `overrides` for this locale wins over the built-in catalogue.
 */
export function translator(locale: Locale, overrides: MessageOverrides = {}): Translate {
  const catalogue = catalogues[locale];
  const replaced = overrides[locale] ?? {};
  return (key, params = {}) => {
    const text = replaced[key] ?? catalogue[key];
    // Most texts have no placeholder, and skipping the regular expression for them nearly halves
    // the time of a call; a page makes a dozen calls.
    if (!text.includes('{')) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

/** Returns the `dir` attribute value for a page in `locale`. */
export function textDirection(locale: Locale): 'ltr' | 'rtl' {
  return rightToLeftLocales.has(locale) ? 'rtl' : 'ltr';
}

/** A supported page language and the region subtag of the tag that chose it, upper-cased. */
export interface PageLanguage {
  locale: Locale;
  /** `US` for `en-US`; null when the tag had no region or the operator's default was used. */
  region: string | null;
}

function toSupported(tag: string): PageLanguage | null {
  const [language = '', ...rest] = tag.trim().toLowerCase().split('-');
  const locale = (supportedLocales as readonly string[]).includes(language) ? (language as Locale) : languageAliases[language];
  if (locale === undefined) return null;
  const region = rest.find((subtag) => /^[a-z]{2}$|^[0-9]{3}$/.test(subtag));
  return { locale, region: region === undefined ? null : region.toUpperCase() };
}

/**
 * Picks the page language: the challenge's locale, else the best supported language in
 * `Accept-Language` (by q-value), else the operator's default.
 */
export function resolvePageLanguage(challengeLocale: string | null, acceptLanguage: string | null, fallback: Locale): PageLanguage {
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
  return { locale: fallback, region: null };
}

/** Returns only the locale that resolvePageLanguage picks. */
export function resolveLocale(challengeLocale: string | null, acceptLanguage: string | null, fallback: Locale): Locale {
  return resolvePageLanguage(challengeLocale, acceptLanguage, fallback).locale;
}
