import { describe, expect, test } from 'bun:test';
import { supportedLocales } from '../../src/config/config.ts';
import { catalogues, resolveLocale, translator } from '../../src/web/i18n/catalogue.ts';
import { en } from '../../src/web/i18n/en.ts';

const englishKeys = Object.keys(en).sort();

function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

describe('catalogues', () => {
  test('every supported locale has one', () => {
    expect(Object.keys(catalogues).sort()).toEqual([...supportedLocales].sort());
  });

  for (const locale of supportedLocales) {
    const catalogue: Record<string, unknown> = catalogues[locale];

    test(`${locale} has English keys`, () => {
      expect(Object.keys(catalogue).sort()).toEqual(englishKeys);
    });

    test(`${locale} values are non-empty`, () => {
      for (const key of englishKeys) {
        const value = catalogue[key];
        expect(typeof value, `${locale} ${key}`).toBe('string');
        expect(String(value).trim().length, `${locale} ${key}`).toBeGreaterThan(0);
      }
    });

    test(`${locale} keeps English placeholders`, () => {
      for (const key of englishKeys) {
        const expected = placeholdersOf(en[key as keyof typeof en]);
        expect(placeholdersOf(String(catalogue[key])), `${locale} ${key}`).toEqual(expected);
      }
    });
  }

  test('translator fills placeholders', () => {
    expect(translator('en')('question.wrong.other', { count: 2 })).toBe('An answer was not right. You have 2 attempts left.');
    expect(translator('es')('return.message', { code: 'K7P2QRX' })).toContain('K7P2QRX');
    expect(translator('pt')('return.message', { code: 'K7P2QRX' })).toContain('K7P2QRX');
  });
});

describe('resolveLocale', () => {
  test('challenge locale wins', () => {
    expect(resolveLocale('pt-BR', 'es', 'en')).toBe('pt');
    expect(resolveLocale('ES', 'pt', 'en')).toBe('es');
  });

  test('unsupported challenge locale falls through', () => {
    expect(resolveLocale('fr-FR', 'es', 'en')).toBe('es');
  });

  test('Accept-Language ranks by q-value', () => {
    expect(resolveLocale(null, 'fr;q=1, es;q=0.8, en;q=0.5', 'pt')).toBe('es');
    expect(resolveLocale(null, 'en;q=0.3, pt-BR;q=0.9', 'es')).toBe('pt');
  });

  test('Accept-Language keeps order on ties', () => {
    expect(resolveLocale(null, 'pt, es', 'en')).toBe('pt');
    expect(resolveLocale(null, 'es-AR,es;q=0.9,en;q=0.8', 'pt')).toBe('es');
  });

  test('Accept-Language skips zero q-value', () => {
    expect(resolveLocale(null, 'es;q=0, pt;q=0.1', 'en')).toBe('pt');
  });

  test('fallback when nothing matches', () => {
    expect(resolveLocale(null, null, 'es')).toBe('es');
    expect(resolveLocale(null, '', 'pt')).toBe('pt');
    expect(resolveLocale(null, 'fr, de;q=0.5', 'pt')).toBe('pt');
    expect(resolveLocale('fr', 'de', 'es')).toBe('es');
  });
});
