import { describe, expect, test } from 'bun:test';
import { supportedLocales } from '../../src/config/config.ts';
import { catalogues, resolveLocale, resolvePageLanguage, textDirection, translator } from '../../src/web/i18n/catalogue.ts';
import { dateOrderFor } from '../../src/web/i18n/date-order.ts';
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

  for (const locale of supportedLocales.filter((locale) => locale !== 'en')) {
    test(`${locale} is translated`, () => {
      const catalogue: Record<string, string> = catalogues[locale];
      const same = englishKeys.filter((key) => catalogue[key] === en[key as keyof typeof en]);
      // Short words may coincide ("Verificado" in es and pt), whole sentences may not.
      expect(same.filter((key) => (catalogue[key] ?? '').includes(' '))).toEqual([]);
    });
  }

  test('ar is written in Arabic script', () => {
    for (const key of englishKeys) {
      expect(catalogues.ar[key as keyof typeof en], key).toMatch(/\p{Script=Arabic}/u);
    }
  });

  test('translator fills placeholders', () => {
    expect(translator('en')('question.wrong.other', { count: 2 })).toBe('An answer was not right. You have 2 attempts left.');
    expect(translator('es')('return.message', { code: 'K7P2QRX' })).toContain('K7P2QRX');
    expect(translator('pt')('return.message', { code: 'K7P2QRX' })).toContain('K7P2QRX');
    expect(translator('ar')('question.wrong.other', { count: 2 })).toContain('2');
  });

  test('translator prefers overrides', () => {
    const t = translator('es', { es: { 'question.heading': 'Hola de Acme' }, pt: { 'question.submit': 'Enviar' } });
    expect(t('question.heading')).toBe('Hola de Acme');
    expect(t('question.submit')).toBe('Continuar');
  });

  test('override placeholders are filled', () => {
    const t = translator('en', { en: { 'return.message': 'Done with Acme, code {code}' } });
    expect(t('return.message', { code: 'K7P2QRX' })).toBe('Done with Acme, code K7P2QRX');
  });
});

describe('textDirection', () => {
  test('Arabic is right to left', () => {
    expect(textDirection('ar')).toBe('rtl');
  });

  test('other locales are left to right', () => {
    for (const locale of supportedLocales.filter((locale) => locale !== 'ar')) {
      expect(textDirection(locale), locale).toBe('ltr');
    }
  });
});

describe('resolvePageLanguage', () => {
  test('keeps the region of the chosen tag', () => {
    expect(resolvePageLanguage('en-US', null, 'es')).toEqual({ locale: 'en', region: 'US' });
    expect(resolvePageLanguage(null, 'de-DE, pt-BR;q=0.9', 'en')).toEqual({ locale: 'pt', region: 'BR' });
    expect(resolvePageLanguage(null, 'es-419', 'en')).toEqual({ locale: 'es', region: '419' });
  });

  test('region is null without one', () => {
    expect(resolvePageLanguage('fr', null, 'en')).toEqual({ locale: 'fr', region: null });
    expect(resolvePageLanguage(null, null, 'ar')).toEqual({ locale: 'ar', region: null });
  });

  test('finds the new locales', () => {
    expect(resolveLocale(null, 'fr-CA,fr;q=0.9', 'en')).toBe('fr');
    expect(resolveLocale(null, 'id-ID', 'en')).toBe('id');
    expect(resolveLocale(null, 'ar-EG,ar;q=0.9,en;q=0.5', 'en')).toBe('ar');
    expect(resolveLocale('ar-SA', 'en', 'es')).toBe('ar');
  });

  test('in is Indonesian', () => {
    expect(resolveLocale(null, 'in-ID', 'en')).toBe('id');
  });

  test('script subtag is not a region', () => {
    expect(resolvePageLanguage('pt-Latn-BR', null, 'en')).toEqual({ locale: 'pt', region: 'BR' });
  });
});

describe('dateOrderFor', () => {
  test('en-US and en-PH are month first', () => {
    expect(dateOrderFor({ locale: 'en', region: 'US' })).toBe('mdy');
    expect(dateOrderFor({ locale: 'en', region: 'PH' })).toBe('mdy');
  });

  test('other English is day first', () => {
    for (const region of [null, 'GB', 'IN', 'NG', 'KE']) {
      expect(dateOrderFor({ locale: 'en', region }), String(region)).toBe('dmy');
    }
  });

  test('other languages are day first', () => {
    for (const locale of supportedLocales.filter((locale) => locale !== 'en')) {
      expect(dateOrderFor({ locale, region: null }), locale).toBe('dmy');
      expect(dateOrderFor({ locale, region: 'US' }), `${locale}-US`).toBe('dmy');
    }
  });
});

describe('resolveLocale', () => {
  test('challenge locale wins', () => {
    expect(resolveLocale('pt-BR', 'es', 'en')).toBe('pt');
    expect(resolveLocale('ES', 'pt', 'en')).toBe('es');
  });

  test('unsupported challenge locale falls through', () => {
    expect(resolveLocale('de-DE', 'es', 'en')).toBe('es');
  });

  test('Accept-Language ranks by q-value', () => {
    expect(resolveLocale(null, 'de;q=1, es;q=0.8, en;q=0.5', 'pt')).toBe('es');
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
    expect(resolveLocale(null, 'de, it;q=0.5', 'pt')).toBe('pt');
    expect(resolveLocale('de', 'it', 'es')).toBe('es');
  });
});
