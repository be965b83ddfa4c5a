import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { phoneToDigits } from '../challenge/phone.ts';
import type { LogFormat, LogLevel } from '../log/logger.ts';
import { ConfigError } from './config-error.ts';
import { parseIpRange, type IpRange } from '../security/ip-address.ts';
import {
  parseBoolean,
  parseChoice,
  parseHttpUrl,
  parseIntegerInRange,
  parsePort,
  parseText,
  type OptionSpec,
} from './options.ts';

export const supportedLocales = ['en', 'es', 'pt'] as const;
export type Locale = (typeof supportedLocales)[number];

/** The effective configuration after defaults, environment and flags. */
export interface Config {
  host: string;
  /** Null when not configured: the server then derives it from the web listener's address. */
  publicUrl: string | null;
  apiPort: number;
  webPort: number;
  expirationSeconds: number;
  retentionSeconds: number;
  eventRetentionSeconds: number;
  maxPending: number;
  maxPendingPerClient: number;
  validationApiUrl: string | null;
  validationTimeoutMs: number;
  apiKey: string | null;
  secret: string | null;
  tls: { cert: string; key: string; certPath: string; keyPath: string } | null;
  store: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  whatsappDigits: string | null;
  returnUrlHosts: string[];
  validationUrlHosts: string[];
  /** Null when the admin API is off. */
  adminKey: string | null;
  createRatePerMinute: number;
  clientFailuresMax: number;
  clientFailuresWindowSeconds: number;
  pageRatePerMinute: number;
  trustedProxies: IpRange[];
  allowPrivateOutbound: boolean;
  defaultLocale: Locale;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** Every setting, in the order `--help` lists them. */
export const optionSpecs = {
  host: {
    key: 'host', env: 'ASKGATE_HOST', seedEnv: 'HOST', flag: 'host',
    description: 'Address both listeners bind to (default 127.0.0.1; use 0.0.0.0 in a container).',
    unit: 'address', parse: parseText,
  },
  publicUrl: {
    key: 'publicUrl', env: 'ASKGATE_PUBLIC_URL', flag: 'public-url',
    description: 'Base URL of the customer page as customers reach it; page links are built from it only.',
    unit: 'URL', parse: parseHttpUrl,
  },
  apiPort: {
    key: 'apiPort', env: 'ASKGATE_API_PORT', seedEnv: 'api_port', flag: 'api-port',
    description: 'Port of the bot-facing API (default 8000).', unit: 'port', parse: parsePort,
  },
  webPort: {
    key: 'webPort', env: 'ASKGATE_WEB_PORT', seedEnv: 'web_port', flag: 'web-port',
    description: 'Port of the customer page (default 8080).', unit: 'port', parse: parsePort,
  },
  expirationSeconds: {
    key: 'expirationSeconds', env: 'ASKGATE_EXPIRATION', seedEnv: 'expiration', flag: 'expiration',
    description: 'Default challenge lifetime when a request gives no expires_in (default 300).',
    unit: 'seconds', parse: parseIntegerInRange(10, 86400, 'seconds'),
  },
  retentionSeconds: {
    key: 'retentionSeconds', env: 'ASKGATE_RETENTION', flag: 'retention',
    description: 'How long a finished challenge stays readable through GET (default 900).',
    unit: 'seconds', parse: parseIntegerInRange(0, 604800, 'seconds'),
  },
  eventRetentionSeconds: {
    key: 'eventRetentionSeconds', env: 'ASKGATE_EVENT_RETENTION', flag: 'event-retention',
    description: 'How long events stay listable through GET /v1/events (default 259200, three days).',
    unit: 'seconds', parse: parseIntegerInRange(60, 2592000, 'seconds'),
  },
  maxPending: {
    key: 'maxPending', env: 'ASKGATE_MAX_PENDING', flag: 'max-pending',
    description: 'Pending challenges held at once across all tenants; creation answers 429 beyond it (default 1000000).',
    unit: 'challenges', parse: parseIntegerInRange(1, 100000000, 'challenges'),
  },
  maxPendingPerClient: {
    key: 'maxPendingPerClient', env: 'ASKGATE_MAX_PENDING_PER_CLIENT', flag: 'max-pending-per-client',
    description: 'Pending challenges per client_id; a newer challenge cancels the oldest beyond it (default 1).',
    unit: 'challenges', parse: parseIntegerInRange(1, 100, 'challenges'),
  },
  validationApiUrl: {
    key: 'validationApiUrl', env: 'ASKGATE_VALIDATION_API_URL', seedEnv: 'VALIDATION_API_URL',
    flag: 'validation-api-url',
    description: 'Default URL that checks answers when a challenge carries no expected answer.',
    unit: 'URL', parse: parseHttpUrl,
  },
  validationTimeoutMs: {
    key: 'validationTimeoutMs', env: 'ASKGATE_VALIDATION_TIMEOUT_MS', flag: 'validation-timeout-ms',
    description: 'How long to wait for the validation URL before telling the customer to retry (default 5000).',
    unit: 'milliseconds', parse: parseIntegerInRange(100, 60000, 'milliseconds'),
  },
  apiKey: {
    key: 'apiKey', env: 'ASKGATE_API_KEY', flag: 'api-key', secret: true,
    description: 'Bootstrap API key; without it a development key is generated and printed once.',
    unit: 'text', parse: parseApiKey,
  },
  secret: {
    key: 'secret', env: 'ASKGATE_SECRET', flag: 'secret', secret: true,
    description: 'Server secret for answer hashes and signatures, at least 32 bytes; without it an ephemeral one is generated.',
    unit: 'text', parse: parseSecret,
  },
  tlsCert: {
    key: 'tlsCert', env: 'ASKGATE_TLS_CERT', flag: 'tls-cert',
    description: 'PEM certificate file; without it ./cert.pem is used when present.', unit: 'path', parse: parseText,
  },
  tlsKey: {
    key: 'tlsKey', env: 'ASKGATE_TLS_KEY', flag: 'tls-key',
    description: 'PEM private key file; without it ./key.pem is used when present.', unit: 'path', parse: parseText,
  },
  store: {
    key: 'store', env: 'ASKGATE_STORE', flag: 'store',
    description: 'Where challenges live: memory (default).', unit: 'URI', parse: parseStore,
  },
  webhookUrl: {
    key: 'webhookUrl', env: 'ASKGATE_WEBHOOK_URL', flag: 'webhook-url',
    description: 'URL that receives signed result events.', unit: 'URL', parse: parseHttpUrl,
  },
  webhookSecret: {
    key: 'webhookSecret', env: 'ASKGATE_WEBHOOK_SECRET', flag: 'webhook-secret', secret: true,
    description: 'Signing secret for events and validation calls, in whsec_<base64> form.',
    unit: 'text', parse: parseWebhookSecret,
  },
  whatsappNumber: {
    key: 'whatsappNumber', env: 'ASKGATE_WHATSAPP_NUMBER', flag: 'whatsapp-number',
    description: 'Default WhatsApp number (E.164) to return to when a challenge gives no return target.',
    unit: 'E.164', parse: parseWhatsappNumber,
  },
  returnUrlHosts: {
    key: 'returnUrlHosts', env: 'ASKGATE_RETURN_URL_HOSTS', flag: 'return-url-hosts',
    description: 'Comma-separated host names that url return targets may point to (default none).',
    unit: 'hosts', parse: parseHostList,
  },
  validationUrlHosts: {
    key: 'validationUrlHosts', env: 'ASKGATE_VALIDATION_URL_HOSTS', flag: 'validation-url-hosts',
    description: 'Comma-separated host names that a per-challenge validation_url may point to (default none).',
    unit: 'hosts', parse: parseHostList,
  },
  adminKey: {
    key: 'adminKey', env: 'ASKGATE_ADMIN_KEY', flag: 'admin-key', secret: true,
    description: 'Key of the admin API (/admin/v1/keys), at least 32 characters; without it the admin API does not exist.',
    unit: 'text', parse: parseAdminKey,
  },
  createRatePerMinute: {
    key: 'createRatePerMinute', env: 'ASKGATE_CREATE_RATE_PER_MINUTE', flag: 'create-rate-per-minute',
    description: 'Challenges one API key may create per minute; beyond it creation returns 429 (default 600).',
    unit: 'challenges', parse: parseIntegerInRange(1, 1000000, 'challenges'),
  },
  clientFailuresMax: {
    key: 'clientFailuresMax', env: 'ASKGATE_CLIENT_FAILURES_MAX', flag: 'client-failures-max',
    description: 'Wrong answers per client_id, across its challenges, before its pages reject answers until the window ends (default 10).',
    unit: 'answers', parse: parseIntegerInRange(1, 100, 'answers'),
  },
  clientFailuresWindowSeconds: {
    key: 'clientFailuresWindowSeconds', env: 'ASKGATE_CLIENT_FAILURES_WINDOW', flag: 'client-failures-window',
    description: 'Fixed window in which wrong answers per client_id are counted; a lock ends with it (default 900).',
    unit: 'seconds', parse: parseIntegerInRange(1, 900, 'seconds'),
  },
  pageRatePerMinute: {
    key: 'pageRatePerMinute', env: 'ASKGATE_PAGE_RATE_PER_MINUTE', flag: 'page-rate-per-minute',
    description: 'Answer submissions one client IP address may make per minute on the customer page (default 30).',
    unit: 'submissions', parse: parseIntegerInRange(1, 1000000, 'submissions'),
  },
  trustedProxies: {
    key: 'trustedProxies', env: 'ASKGATE_TRUSTED_PROXIES', flag: 'trusted-proxies',
    description: 'Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For header names the client IP (default none).',
    unit: 'addresses', parse: parseAddressList,
  },
  allowPrivateOutbound: {
    key: 'allowPrivateOutbound', env: 'ASKGATE_ALLOW_PRIVATE_OUTBOUND', flag: 'allow-private-outbound',
    description: 'true lets validation requests reach loopback, private, link-local and metadata addresses (default false).',
    unit: 'true|false', parse: parseBoolean,
  },
  defaultLocale: {
    key: 'defaultLocale', env: 'ASKGATE_DEFAULT_LOCALE', flag: 'default-locale',
    description: `Page language when neither the challenge nor the browser picks one (${supportedLocales.join(', ')}; default en).`,
    unit: 'locale', parse: parseChoice(supportedLocales),
  },
  logLevel: {
    key: 'logLevel', env: 'ASKGATE_LOG_LEVEL', flag: 'log-level',
    description: 'Lowest level logged: debug, info (default), warn or error.', unit: 'level',
    parse: parseChoice(['debug', 'info', 'warn', 'error'] as const),
  },
  logFormat: {
    key: 'logFormat', env: 'ASKGATE_LOG_FORMAT', flag: 'log-format',
    description: 'json, or pretty for terminals (default: pretty on a terminal, json otherwise).',
    unit: 'format', parse: parseChoice(['json', 'pretty'] as const),
  },
} satisfies Record<string, OptionSpec<unknown>>;

type Specs = typeof optionSpecs;
type Raw = { [K in keyof Specs]?: ReturnType<Specs[K]['parse']> };

/** Values given on the command line, keyed by flag name without dashes. */
export type FlagValues = Record<string, string | undefined>;

/**
 * Builds the configuration from flags, then `ASKGATE_*` variables, then the seed's names, then
 * defaults. Throws ConfigError on the first invalid value.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: FlagValues = {},
  cwd = process.cwd(),
  isTerminal = Boolean(process.stderr.isTTY),
): Config {
  const raw: Raw = {};
  for (const [name, spec] of Object.entries(optionSpecs) as [keyof Specs, OptionSpec<unknown>][]) {
    const found = readSetting(spec, env, flags);
    if (found === null) continue;
    (raw as Record<string, unknown>)[name] = spec.parse(found.value, found.source);
  }

  const host = raw.host ?? '127.0.0.1';
  const webPort = raw.webPort ?? 8080;
  const tls = loadTls(raw.tlsCert ?? null, raw.tlsKey ?? null, cwd);
  checkSecretForStore(raw.store ?? 'memory', raw.secret ?? null);
  if (raw.adminKey !== undefined && raw.adminKey === raw.apiKey) {
    throw new ConfigError('ASKGATE_ADMIN_KEY equals ASKGATE_API_KEY. Use a different key for the admin API.');
  }

  return {
    host,
    publicUrl: raw.publicUrl ?? seedPublicUrl(env, webPort),
    apiPort: raw.apiPort ?? 8000,
    webPort,
    expirationSeconds: raw.expirationSeconds ?? 300,
    retentionSeconds: raw.retentionSeconds ?? 900,
    eventRetentionSeconds: raw.eventRetentionSeconds ?? 259200,
    maxPending: raw.maxPending ?? 1_000_000,
    maxPendingPerClient: raw.maxPendingPerClient ?? 1,
    validationApiUrl: raw.validationApiUrl ?? null,
    validationTimeoutMs: raw.validationTimeoutMs ?? 5000,
    apiKey: raw.apiKey ?? null,
    secret: raw.secret ?? null,
    tls,
    store: raw.store ?? 'memory',
    webhookUrl: raw.webhookUrl ?? null,
    webhookSecret: raw.webhookSecret ?? null,
    whatsappDigits: raw.whatsappNumber ?? null,
    returnUrlHosts: raw.returnUrlHosts ?? [],
    validationUrlHosts: raw.validationUrlHosts ?? [],
    adminKey: raw.adminKey ?? null,
    createRatePerMinute: raw.createRatePerMinute ?? 600,
    clientFailuresMax: raw.clientFailuresMax ?? 10,
    clientFailuresWindowSeconds: raw.clientFailuresWindowSeconds ?? 900,
    pageRatePerMinute: raw.pageRatePerMinute ?? 30,
    trustedProxies: raw.trustedProxies ?? [],
    allowPrivateOutbound: raw.allowPrivateOutbound ?? false,
    defaultLocale: raw.defaultLocale ?? 'en',
    logLevel: raw.logLevel ?? 'info',
    logFormat: raw.logFormat ?? (isTerminal ? 'pretty' : 'json'),
  };
}

function readSetting(
  spec: OptionSpec<unknown>,
  env: Record<string, string | undefined>,
  flags: FlagValues,
): { value: string; source: string } | null {
  const flagValue = flags[spec.flag];
  if (flagValue !== undefined) return { value: flagValue, source: `--${spec.flag}` };

  const envValue = env[spec.env];
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: spec.env };

  if (spec.seedEnv) {
    const seedValue = env[spec.seedEnv];
    if (seedValue !== undefined && seedValue !== '') return { value: seedValue, source: spec.seedEnv };
  }
  return null;
}

/** The seed built page links from URL_SUFFIX ("http://" or "https://") and HOST. */
function seedPublicUrl(env: Record<string, string | undefined>, webPort: number): string | null {
  const scheme = env.URL_SUFFIX;
  const host = env.HOST;
  if (!scheme || !host) return null;

  const candidate = /:\d+$/.test(host) ? `${scheme}${host}` : `${scheme}${host}:${webPort}`;
  return parseHttpUrl(candidate, 'URL_SUFFIX + HOST');
}

/** The page URL when none is configured: the web listener's own address (localhost for a wildcard bind). */
export function defaultPublicUrl(host: string, webPort: number, tls: boolean): string {
  const scheme = tls ? 'https' : 'http';
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const shown = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${webPort}`;
}

function loadTls(certPath: string | null, keyPath: string | null, cwd: string): Config['tls'] {
  if (certPath === null && keyPath === null) {
    const defaultCert = join(cwd, 'cert.pem');
    const defaultKey = join(cwd, 'key.pem');
    const hasCert = existsSync(defaultCert);
    const hasKey = existsSync(defaultKey);
    if (!hasCert && !hasKey) return null;
    if (hasCert !== hasKey) {
      const missing = hasCert ? 'key.pem' : 'cert.pem';
      throw new ConfigError(
        `Found ${hasCert ? 'cert.pem' : 'key.pem'} in ${cwd} but not ${missing}. Add ${missing}, remove the other file, or set ASKGATE_TLS_CERT and ASKGATE_TLS_KEY.`,
      );
    }
    return readTlsPair(defaultCert, defaultKey, 'cert.pem', 'key.pem');
  }

  if (certPath === null || keyPath === null) {
    const given = certPath === null ? 'ASKGATE_TLS_KEY' : 'ASKGATE_TLS_CERT';
    const missing = certPath === null ? 'ASKGATE_TLS_CERT' : 'ASKGATE_TLS_KEY';
    throw new ConfigError(`${given} is set but ${missing} is not. Set both to enable TLS, or neither.`);
  }
  return readTlsPair(certPath, keyPath, 'ASKGATE_TLS_CERT', 'ASKGATE_TLS_KEY');
}

function readTlsPair(certPath: string, keyPath: string, certSource: string, keySource: string): Config['tls'] {
  return {
    cert: readPem(certPath, certSource, 'CERTIFICATE'),
    key: readPem(keyPath, keySource, 'PRIVATE KEY'),
    certPath,
    keyPath,
  };
}

function readPem(path: string, source: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${source}="${path}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Point it to a readable PEM file.`,
    );
  }
  if (!text.includes(label)) {
    throw new ConfigError(`${source}="${path}" is not a PEM file with a ${label} block. Check the path.`);
  }
  return text;
}

function parseApiKey(raw: string, source: string): string {
  if (raw.length < 20 || /\s/.test(raw)) {
    throw new ConfigError(`${source} is too short or contains spaces. Use at least 20 characters, for example ak_ followed by 32 random base64url characters.`);
  }
  return raw;
}

function parseSecret(raw: string, source: string): string {
  if (Buffer.byteLength(raw) < 32) {
    throw new ConfigError(`${source} is shorter than 32 bytes. Generate one with: openssl rand -base64 48`);
  }
  return raw;
}

function parseWebhookSecret(raw: string, source: string): string {
  const body = raw.startsWith('whsec_') ? raw.slice('whsec_'.length) : null;
  if (body === null || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || Buffer.from(body, 'base64').length < 24) {
    throw new ConfigError(`${source} must look like whsec_ followed by at least 24 bytes in base64.`);
  }
  return raw;
}

function parseWhatsappNumber(raw: string, source: string): string {
  const digits = phoneToDigits(raw);
  if (digits === null) {
    throw new ConfigError(`${source}="${raw}" is not an E.164 number. Use + and the country code, for example +5491122334455.`);
  }
  return digits;
}

function parseHostList(raw: string, source: string): string[] {
  const hosts = raw.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
      throw new ConfigError(`${source} contains "${host}", which is not a host name. List host names separated by commas.`);
    }
  }
  return hosts;
}

/**
 * Throws unless a store other than memory comes with ASKGATE_SECRET. Answer hashes, CSRF tokens
 * and signatures are keyed with the secret, so a generated one would make every challenge kept in
 * a durable or shared store unusable after a restart or on another process.
 */
export function checkSecretForStore(store: string, secret: string | null): void {
  if (store !== 'memory' && secret === null) {
    throw new ConfigError('ASKGATE_SECRET is required when ASKGATE_STORE is not memory. Generate one with: openssl rand -base64 48');
  }
}

function parseAdminKey(raw: string, source: string): string {
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new ConfigError(`${source} is shorter than 32 characters or contains spaces. Generate one with: openssl rand -base64 32`);
  }
  return raw;
}

function parseAddressList(raw: string, source: string): IpRange[] {
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  return entries.map((entry) => {
    const range = parseIpRange(entry);
    if (range === null) {
      throw new ConfigError(`${source} contains "${entry}", which is not an IP address or CIDR range. List addresses such as 10.0.0.5 or 10.0.0.0/8, separated by commas.`);
    }
    return range;
  });
}

function parseStore(raw: string, source: string): string {
  if (raw === 'memory') return raw;
  throw new ConfigError(`${source}="${raw}" is not supported by this version. Use memory.`);
}
