import type { DateOrder } from '../challenge/answer-types/date.ts';
import type { Challenge } from '../challenge/challenge.ts';
import type { Locale } from '../config/config.ts';
import type { TenantDirectory, TenantSettings } from '../config/tenants-file.ts';
import { resolvePageLanguage, textDirection, translator, type Translate } from './i18n/catalogue.ts';
import { dateOrderFor } from './i18n/date-order.ts';
import type { PageBrand } from './pages/layout.tsx';

/** The reader's language and the tenant's branding, which every page needs. */
export interface PageContext {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  /** How the page asks for dates and reads them back. */
  dateOrder: DateOrder;
  /** The translator, with the tenant's message overrides applied. */
  t: Translate;
  brand: PageBrand;
}

const noBrand: PageBrand = { name: null, logoUrl: null, themeUrl: null };

/**
 * Returns the tenants-file entry that styles a page and the id it is served under: the
 * challenge's tenant when the file lists it, else `default`, else none. Pages without a
 * challenge (an unknown link) use `default`.
 */
export function tenantEntryFor(tenants: TenantDirectory, tenantId: string | null): { id: string; settings: TenantSettings } | null {
  if (tenantId !== null && Object.hasOwn(tenants, tenantId)) return { id: tenantId, settings: tenants[tenantId] as TenantSettings };
  if (Object.hasOwn(tenants, 'default')) return { id: 'default', settings: tenants.default as TenantSettings };
  return null;
}

/** Builds the function that gives each request its page language, direction and branding. */
export function createPageContextResolver(tenants: TenantDirectory, defaultLocale: Locale) {
  return (request: Request, challenge: Challenge | null): PageContext => {
    const language = resolvePageLanguage(challenge?.locale ?? null, request.headers.get('accept-language'), defaultLocale);
    const entry = tenantEntryFor(tenants, challenge?.tenantId ?? null);
    return {
      locale: language.locale,
      dir: textDirection(language.locale),
      dateOrder: dateOrderFor(language),
      t: translator(language.locale, entry?.settings.messages),
      brand: entry === null ? noBrand : brandOf(entry.id, entry.settings),
    };
  };
}

function brandOf(tenantId: string, settings: TenantSettings): PageBrand {
  return {
    name: settings.displayName,
    logoUrl: settings.logo === null ? null : `/assets/logo/${tenantId}.${settings.logo.extension}`,
    themeUrl: settings.accentColor === null ? null : `/assets/theme/${tenantId}.css`,
  };
}
