import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { en, type MessageKey } from '../web/i18n/en.ts';
import type { MessageOverrides } from '../web/i18n/catalogue.ts';
import { contrastRatio, formatHexColor, parseHexColor } from '../web/branding/contrast.ts';
import { detectLogoType, logoContentTypes, maxLogoBytes, type LogoExtension } from '../web/branding/logo.ts';
import { lightPalette, minimumComponentContrast, minimumTextContrast } from '../web/branding/palette.ts';
import { ConfigError } from './config-error.ts';
import { supportedLocales } from './locales.ts';

/** A logo read at start-up, served at `/assets/logo/<tenant>.<extension>`. */
export interface TenantLogo {
  extension: LogoExtension;
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** One tenant's page settings from the tenants file. */
export interface TenantSettings {
  /** Shown on the page as text. */
  displayName: string | null;
  /** Lower-case `#rrggbb`, checked for contrast at start-up. */
  accentColor: string | null;
  logo: TenantLogo | null;
  messages: MessageOverrides;
}

/** Tenant id → settings. The `default` entry is the single-tenant setup and the fallback. */
export type TenantDirectory = Record<string, TenantSettings>;

export const tenantIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const tenantKeys = ['display_name', 'accent_color', 'logo', 'messages'];
const maxDisplayNameLength = 80;
const maxMessageLength = 500;
const maxFileBytes = 1024 * 1024;

/**
 * Reads and checks the tenants file named by `source` (ASKGATE_TENANTS_FILE or --tenants-file):
 *
 *     { "<tenant id>": { "display_name": "…", "accent_color": "#0b6e4f",
 *                        "logo": "logos/acme.svg", "messages": { "es": { "question.heading": "…" } } } }
 *
 * Every key is optional, and a logo path is relative to the file's folder. Throws ConfigError
 * naming the file and the key for unknown keys, locales or message keys and for a message that
 * drops or adds a placeholder. It also rejects an accent colour with too little contrast and a
 * logo that is not PNG, SVG or WebP or is larger than 64 KB.
 */
export function loadTenantsFile(path: string, source: string): TenantDirectory {
  const where = `${source}=${path}`;
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`${where}: "${key}" ${problem}`);
  };

  const parsed = readJson(path, where);
  if (!isPlainObject(parsed)) throw new ConfigError(`${where} must contain a JSON object keyed by tenant id.`);

  // No prototype, so that a tenant id such as "__proto__" is stored as a plain key.
  const directory: TenantDirectory = Object.create(null);
  for (const [tenantId, entry] of Object.entries(parsed)) {
    if (!tenantIdPattern.test(tenantId)) fail(tenantId, 'is not a valid tenant id. Use 1 to 64 characters from A-Z, a-z, 0-9, _ and -.');
    if (!isPlainObject(entry)) fail(tenantId, 'must be an object with display_name, accent_color, logo or messages.');
    const settings = entry as Record<string, unknown>;
    for (const key of Object.keys(settings)) {
      if (!tenantKeys.includes(key)) fail(`${tenantId}.${key}`, `is not a known key. Use ${tenantKeys.join(', ')}.`);
    }

    directory[tenantId] = {
      displayName: readDisplayName(settings.display_name, `${tenantId}.display_name`, fail),
      accentColor: readAccentColor(settings.accent_color, `${tenantId}.accent_color`, fail),
      logo: readLogo(settings.logo, `${tenantId}.logo`, dirname(resolve(path)), fail),
      messages: readMessages(settings.messages, `${tenantId}.messages`, fail),
    };
  }
  return directory;
}

type Fail = (key: string, problem: string) => never;

function readJson(path: string, where: string): unknown {
  let text: string;
  try {
    if (statSync(path).size > maxFileBytes) throw new ConfigError(`${where} is larger than 1 MB. Keep logos in their own files.`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${where} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Point it to a readable JSON file.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

function readDisplayName(value: unknown, key: string, fail: Fail): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxDisplayNameLength) {
    fail(key, `must be a text of 1 to ${maxDisplayNameLength} characters.`);
  }
  return (value as string).trim();
}

/** Checks the accent colour against the light-mode button text and card colours of page.css. */
function readAccentColor(value: unknown, key: string, fail: Fail): string | null {
  if (value === undefined) return null;
  const accent = typeof value === 'string' ? parseHexColor(value) : null;
  if (accent === null) return fail(key, 'must be a hex colour such as #0b6e4f.');

  const hex = formatHexColor(accent);
  const checks = [
    { against: lightPalette.buttonText, what: 'the button text colour', minimum: minimumTextContrast },
    { against: lightPalette.card, what: 'the card background', minimum: minimumComponentContrast },
  ];
  for (const check of checks) {
    const ratio = contrastRatio(accent, parseHexColor(check.against) as [number, number, number]);
    if (ratio < check.minimum) {
      fail(
        key,
        `${hex} has a contrast ratio of ${floorTo2(ratio)}:1 against ${check.what} ${check.against}; at least ${check.minimum}:1 is needed (WCAG 2.2). Choose a darker colour.`,
      );
    }
  }
  return hex;
}

function readLogo(value: unknown, key: string, folder: string, fail: Fail): TenantLogo | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') return fail(key, 'must be the path of a PNG, SVG or WebP file.');

  const path = resolve(folder, value);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const size = statSync(path).size;
    if (size > maxLogoBytes) fail(key, `points to ${path}, which has ${size} bytes; the maximum is ${maxLogoBytes} (64 KB).`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    return fail(key, `points to ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }

  const extension = detectLogoType(bytes);
  if (extension === null) return fail(key, `points to ${path}, which is not a PNG, SVG or WebP image.`);
  const named = extname(path).slice(1).toLowerCase();
  if (named !== extension) fail(key, `points to ${path}, whose content is ${extension.toUpperCase()} but whose name ends in .${named}. Rename the file.`);
  return { extension, contentType: logoContentTypes[extension], bytes };
}

function readMessages(value: unknown, key: string, fail: Fail): MessageOverrides {
  if (value === undefined) return {};
  if (!isPlainObject(value)) return fail(key, 'must be an object keyed by locale.');

  const locales: readonly string[] = supportedLocales;
  const overrides: MessageOverrides = {};
  for (const [locale, texts] of Object.entries(value)) {
    if (!locales.includes(locale)) fail(`${key}.${locale}`, `is not a supported locale. Use one of: ${locales.join(', ')}.`);
    if (!isPlainObject(texts)) fail(`${key}.${locale}`, 'must be an object of message keys and texts.');

    const replaced: Partial<Record<MessageKey, string>> = {};
    for (const [messageKey, text] of Object.entries(texts as Record<string, unknown>)) {
      const at = `${key}.${locale}.${messageKey}`;
      if (!Object.hasOwn(en, messageKey)) fail(at, 'is not a known message key. The keys are those of src/web/i18n/en.ts.');
      if (typeof text !== 'string' || text.trim() === '' || text.length > maxMessageLength) {
        fail(at, `must be a text of 1 to ${maxMessageLength} characters.`);
      }
      const expected = placeholdersOf(en[messageKey as MessageKey]);
      if (placeholdersOf(text as string) !== expected) {
        fail(at, `must use exactly the placeholders of the built-in text (${expected === '' ? 'none' : expected}).`);
      }
      replaced[messageKey as MessageKey] = text as string;
    }
    overrides[locale as keyof MessageOverrides] = replaced;
  }
  return overrides;
}

function placeholdersOf(text: string): string {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => `{${match[1]}}`))].sort().join(', ');
}

/** Rounds down, so that a ratio of 4.497 is not shown as the passing 4.5. */
function floorTo2(ratio: number): string {
  return (Math.floor(ratio * 100) / 100).toFixed(2);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
