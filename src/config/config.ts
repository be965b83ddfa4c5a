import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { phoneToDigits } from '../challenge/phone.ts';
import { defaultKeyPrefix } from '../store/redis/keys.ts';
import { InvalidRedisUrlError, maskRedisUrl, parseRedisUrl } from '../store/redis/redis-url.ts';
import type { LogFormat, LogLevel } from '../log/logger.ts';
import { ConfigError } from './config-error.ts';
import { parseIpRange, type IpRange } from '../security/ip-address.ts';
import { supportedLocales, type Locale } from './locales.ts';
import { loadTenantsFile, type TenantDirectory } from './tenants-file.ts';
import { maskUrlPasswords } from './mask.ts';
import {
  parseBoolean,
  parseChoice,
  parseHttpUrl,
  parseIntegerInRange,
  parsePort,
  parseText,
  type OptionSpec,
} from './options.ts';

export { supportedLocales, type Locale };

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
  /** Prefix of every Redis key, used only by a redis:// or rediss:// store. */
  redisPrefix: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  /** The secret being retired; it signs too until `webhookSecretPreviousUntil`. */
  webhookSecretPrevious: string | null;
  /** Epoch milliseconds; null when no rotation is under way. */
  webhookSecretPreviousUntil: number | null;
  /** Hosts that a per-challenge webhook_url may point to; empty rejects every override. */
  webhookUrlHosts: string[];
  webhookTimeoutMs: number;
  /** Delays before the second, third… try, in seconds; the event is dead after the last. */
  webhookRetryScheduleSeconds: number[];
  /** How long after passing a return code can be confirmed. */
  confirmWindowSeconds: number;
  whatsappDigits: string | null;
  returnUrlHosts: string[];
  /** Accept http:// return URLs on loopback hosts (127.0.0.1, [::1], localhost) that are also on returnUrlHosts. */
  returnUrlAllowLoopbackHttp: boolean;
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
  /** Page settings per tenant from ASKGATE_TENANTS_FILE; empty when no file is given. */
  tenants: TenantDirectory;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Bearer token that GET /metrics requires; null leaves /metrics open. */
  metricsToken: string | null;
  /** How long a stop waits for requests in flight before closing their connections. */
  shutdownGraceMs: number;
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
    description: 'Base URL of the customer page as customers reach it; page links are built from it only. Older setups: URL_SUFFIX (http:// or https://) plus HOST.',
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
    description: 'Where state lives: memory (default, lost on restart), sqlite:<path> (one node that restarts), or redis://[:password@]host:port/db and rediss://… (several nodes).', unit: 'URI', parse: parseStore,
  },
  redisPrefix: {
    key: 'redisPrefix', env: 'ASKGATE_REDIS_PREFIX', flag: 'redis-prefix',
    description: 'Prefix of every Redis key, so that several deployments can share one Redis database (default askgate:). Valid only with a Redis store.',
    unit: 'text', parse: parseRedisPrefix,
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
  webhookSecretPrevious: {
    key: 'webhookSecretPrevious', env: 'ASKGATE_WEBHOOK_SECRET_PREVIOUS', flag: 'webhook-secret-previous', secret: true,
    description: 'Signing secret being rotated out (whsec_…); it signs alongside the new one until ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL.',
    unit: 'text', parse: parseWebhookSecret,
  },
  webhookSecretPreviousUntil: {
    key: 'webhookSecretPreviousUntil', env: 'ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL', flag: 'webhook-secret-previous-until',
    description: 'End of the rotation window, as an ISO 8601 time with a time zone (2026-05-01T12:00:00Z).',
    unit: 'time', parse: parseIsoTime,
  },
  webhookUrlHosts: {
    key: 'webhookUrlHosts', env: 'ASKGATE_WEBHOOK_URL_HOSTS', flag: 'webhook-url-hosts',
    description: 'Comma-separated host names that a per-challenge webhook_url may point to (default none: webhook_url is rejected).',
    unit: 'hosts', parse: parseHostList,
  },
  webhookTimeoutMs: {
    key: 'webhookTimeoutMs', env: 'ASKGATE_WEBHOOK_TIMEOUT_MS', flag: 'webhook-timeout-ms',
    description: 'How long one event delivery may take before it counts as failed (default 10000).',
    unit: 'milliseconds', parse: parseIntegerInRange(100, 60000, 'milliseconds'),
  },
  webhookRetryScheduleSeconds: {
    key: 'webhookRetryScheduleSeconds', env: 'ASKGATE_WEBHOOK_RETRY_SCHEDULE', flag: 'webhook-retry-schedule',
    description: 'Comma-separated delays between delivery tries, each varied by up to 20% (default 5,300,1800,7200,18000,36000).',
    unit: 'seconds', parse: parseRetrySchedule,
  },
  confirmWindowSeconds: {
    key: 'confirmWindowSeconds', env: 'ASKGATE_CONFIRM_WINDOW', flag: 'confirm-window',
    description: 'How long after a challenge passed its return code can be confirmed (default 900).',
    unit: 'seconds', parse: parseIntegerInRange(1, 86400, 'seconds'),
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
  returnUrlAllowLoopbackHttp: {
    key: 'returnUrlAllowLoopbackHttp', env: 'ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP', flag: 'return-url-allow-loopback-http',
    description: 'true also accepts http:// url return targets on 127.0.0.1, [::1] and localhost when that host is on ASKGATE_RETURN_URL_HOSTS, for local demos and tests (default false).',
    unit: 'true|false', parse: parseBoolean,
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
    description: 'true lets validation and webhook requests reach loopback, private, link-local and metadata addresses (default false).',
    unit: 'true|false', parse: parseBoolean,
  },
  defaultLocale: {
    key: 'defaultLocale', env: 'ASKGATE_DEFAULT_LOCALE', flag: 'default-locale',
    description: `Page language when neither the challenge nor the browser picks one (${supportedLocales.join(', ')}; default en).`,
    unit: 'locale', parse: parseChoice(supportedLocales),
  },
  tenants: {
    key: 'tenants', env: 'ASKGATE_TENANTS_FILE', flag: 'tenants-file',
    description: 'JSON file of per-tenant page settings: display name, accent colour, logo and message overrides.',
    unit: 'path', parse: loadTenantsFile,
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
  metricsToken: {
    key: 'metricsToken', env: 'ASKGATE_METRICS_TOKEN', flag: 'metrics-token', secret: true,
    description: 'Bearer token that GET /metrics requires; without it /metrics is open to anyone who reaches the API port.',
    unit: 'text', parse: parseMetricsToken,
  },
  shutdownGraceMs: {
    key: 'shutdownGraceMs', env: 'ASKGATE_SHUTDOWN_GRACE_MS', flag: 'shutdown-grace-ms',
    description: 'On SIGTERM or SIGINT, how long requests and event deliveries in flight may take before askgate closes them (default 10000).',
    unit: 'milliseconds', parse: parseIntegerInRange(0, 600000, 'milliseconds'),
  },
} satisfies Record<string, OptionSpec<unknown>>;

type Specs = typeof optionSpecs;
type Raw = { [K in keyof Specs]?: ReturnType<Specs[K]['parse']> };

/** Values given on the command line, keyed by flag name without dashes. */
export type FlagValues = Record<string, string | undefined>;

/**
 * Builds the configuration from flags, then `ASKGATE_*` variables, then the seed's names, then
 * defaults. Without TLS settings, `cwd` is searched for cert.pem and key.pem; null skips that
 * search. Throws ConfigError on the first invalid value.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: FlagValues = {},
  cwd: string | null = process.cwd(),
  isTerminal = Boolean(process.stderr.isTTY),
): Config {
  const placeholders = (Object.values(optionSpecs) as OptionSpec<unknown>[])
    .filter((spec) => spec.secret)
    .map((spec) => readSetting(spec, env, flags))
    .filter((found) => found !== null && isPlaceholder(found.value))
    .map((found) => found?.source);
  if (placeholders.length > 0) {
    throw new ConfigError(
      `${placeholders.join(', ')} still ${placeholders.length === 1 ? 'has a' : 'have'} replace-with-… placeholder${placeholders.length === 1 ? '' : 's'} from askgate.env.example, which anybody can read. Replace each with a generated value, as the comment above its line in the example shows.`,
    );
  }

  const raw: Raw = {};
  for (const [name, spec] of Object.entries(optionSpecs) as [keyof Specs, OptionSpec<unknown>][]) {
    const found = readSetting(spec, env, flags);
    if (found === null) continue;
    (raw as Record<string, unknown>)[name] = spec.parse(found.value, found.source);
  }

  const host = raw.host ?? '127.0.0.1';
  const apiPort = raw.apiPort ?? 8000;
  const webPort = raw.webPort ?? 8080;
  if (apiPort === webPort && apiPort !== 0) {
    throw new ConfigError(
      `ASKGATE_API_PORT and ASKGATE_WEB_PORT are both ${apiPort}. The API and the customer page need separate ports: change one of them.`,
    );
  }
  const tls = loadTls(raw.tlsCert ?? null, raw.tlsKey ?? null, cwd);
  const store = raw.store ?? 'memory';
  if (store !== 'memory' && raw.secret === undefined) {
    throw new ConfigError(
      'ASKGATE_SECRET is required with a durable store, because stored answer hashes and page links must stay valid across restarts. Generate one with: openssl rand -base64 48',
    );
  }
  if (raw.adminKey !== undefined && raw.adminKey === raw.apiKey) {
    throw new ConfigError('ASKGATE_ADMIN_KEY equals ASKGATE_API_KEY. Use a different key for the admin API.');
  }

  const isRedis = store.startsWith('redis://') || store.startsWith('rediss://');
  if (raw.redisPrefix !== undefined && !isRedis) {
    throw new ConfigError('ASKGATE_REDIS_PREFIX is set but ASKGATE_STORE is not a Redis URL. Remove ASKGATE_REDIS_PREFIX, or set ASKGATE_STORE to redis://host:port/db.');
  }

  return {
    host,
    publicUrl: raw.publicUrl ?? seedPublicUrl(env, webPort),
    apiPort,
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
    store,
    redisPrefix: raw.redisPrefix ?? defaultKeyPrefix,
    webhookUrl: raw.webhookUrl ?? null,
    webhookSecret: raw.webhookSecret ?? null,
    ...webhookRotation(raw),
    webhookUrlHosts: raw.webhookUrlHosts ?? [],
    webhookTimeoutMs: raw.webhookTimeoutMs ?? 10000,
    webhookRetryScheduleSeconds: raw.webhookRetryScheduleSeconds ?? [5, 300, 1800, 7200, 18000, 36000],
    confirmWindowSeconds: raw.confirmWindowSeconds ?? 900,
    whatsappDigits: raw.whatsappNumber ?? null,
    returnUrlHosts: raw.returnUrlHosts ?? [],
    returnUrlAllowLoopbackHttp: raw.returnUrlAllowLoopbackHttp ?? false,
    validationUrlHosts: raw.validationUrlHosts ?? [],
    adminKey: raw.adminKey ?? null,
    createRatePerMinute: raw.createRatePerMinute ?? 600,
    clientFailuresMax: raw.clientFailuresMax ?? 10,
    clientFailuresWindowSeconds: raw.clientFailuresWindowSeconds ?? 900,
    pageRatePerMinute: raw.pageRatePerMinute ?? 30,
    trustedProxies: raw.trustedProxies ?? [],
    allowPrivateOutbound: raw.allowPrivateOutbound ?? false,
    defaultLocale: raw.defaultLocale ?? 'en',
    tenants: raw.tenants ?? {},
    logLevel: raw.logLevel ?? 'info',
    logFormat: raw.logFormat ?? (isTerminal ? 'pretty' : 'json'),
    metricsToken: raw.metricsToken ?? null,
    shutdownGraceMs: raw.shutdownGraceMs ?? 10000,
  };
}

/** Finds the raw text of one setting and where it came from; null when it is not set. */
export function readSetting(
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

/**
 * Returns true when a secret setting still has a `replace-with-…` value from askgate.env.example. Those
 * values are public, so running with one would let anybody sign or authenticate.
 */
function isPlaceholder(value: string): boolean {
  return value.toLowerCase().startsWith('replace-with');
}

/**
 * Builds the page URL the older way: URL_SUFFIX, which despite its name is the scheme prefix
 * ("http://" or "https://"), followed by HOST and the web port.
 */
function seedPublicUrl(env: Record<string, string | undefined>, webPort: number): string | null {
  const scheme = env.URL_SUFFIX;
  const host = env.HOST;
  if (!scheme || !host) return null;
  if (scheme !== 'http://' && scheme !== 'https://') {
    throw new ConfigError(`URL_SUFFIX="${scheme}" is not valid. Set it to http:// or https://, or set ASKGATE_PUBLIC_URL instead.`);
  }

  const candidate = /:\d+$/.test(host) ? `${scheme}${host}` : `${scheme}${host}:${webPort}`;
  return parseHttpUrl(candidate, 'URL_SUFFIX + HOST');
}

/** Returns the page URL when none is configured: the web listener's own address (localhost for a wildcard bind). */
export function defaultPublicUrl(host: string, webPort: number, tls: boolean): string {
  const scheme = tls ? 'https' : 'http';
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const shown = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${webPort}`;
}

function loadTls(certPath: string | null, keyPath: string | null, cwd: string | null): Config['tls'] {
  if (certPath === null && keyPath === null) {
    if (cwd === null) return null;
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

/** Checks that a rotation names both the old secret and its end, next to a current secret. */
function webhookRotation(raw: Raw): Pick<Config, 'webhookSecretPrevious' | 'webhookSecretPreviousUntil'> {
  const previous = raw.webhookSecretPrevious ?? null;
  const until = raw.webhookSecretPreviousUntil ?? null;
  if (previous === null && until === null) return { webhookSecretPrevious: null, webhookSecretPreviousUntil: null };
  if (previous === null) {
    throw new ConfigError('ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL is set but ASKGATE_WEBHOOK_SECRET_PREVIOUS is not. Set both during a rotation, or neither.');
  }
  if (until === null) {
    throw new ConfigError('ASKGATE_WEBHOOK_SECRET_PREVIOUS is set but ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL is not. Set the time when the old secret stops signing.');
  }
  if (raw.webhookSecret === undefined) {
    throw new ConfigError('ASKGATE_WEBHOOK_SECRET_PREVIOUS is set but ASKGATE_WEBHOOK_SECRET is not. Set the new secret in ASKGATE_WEBHOOK_SECRET.');
  }
  return { webhookSecretPrevious: previous, webhookSecretPreviousUntil: until };
}

function parseIsoTime(raw: string, source: string): number {
  const pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
  const epochMs = Date.parse(raw);
  if (!pattern.test(raw) || Number.isNaN(epochMs)) {
    throw new ConfigError(`${source}="${raw}" is not an ISO 8601 time with a time zone. Use for example 2026-05-01T12:00:00Z.`);
  }
  return epochMs;
}

function parseRetrySchedule(raw: string, source: string): number[] {
  const parts = raw.split(',').map((part) => part.trim());
  const valid = parts.length <= 20 && parts.every((part) => /^\d{1,6}$/.test(part) && Number(part) >= 1 && Number(part) <= 604800);
  if (!valid) {
    throw new ConfigError(`${source}="${raw}" is not valid. List up to 20 delays in whole seconds from 1 to 604800, separated by commas, for example 5,300,1800.`);
  }
  return parts.map(Number);
}

function parseWhatsappNumber(raw: string, source: string): string {
  const digits = phoneToDigits(raw);
  if (digits === null) {
    throw new ConfigError(`${source}="${raw}" is not an E.164 number. Use + and the country code, for example +5491122334455.`);
  }
  return digits;
}

/**
 * Parses a comma-separated list of host names and IP addresses, lower-cased. An IPv6 address may
 * be written with or without brackets and is stored in brackets, as `URL.hostname` gives it.
 */
function parseHostList(raw: string, source: string): string[] {
  const entries = raw.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  return entries.map((host) => {
    if (host.includes(':')) return parseIpv6Host(host, source);
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
      throw new ConfigError(`${source} contains "${host}", which is not a host name. List host names separated by commas.`);
    }
    return host;
  });
}

function parseIpv6Host(host: string, source: string): string {
  const bracketed = host.startsWith('[') ? host : `[${host}]`;
  if (/^\[[0-9a-f:.]+\]$/.test(bracketed) && URL.canParse(`http://${bracketed}/`)) {
    // The URL parser writes the address in its shortest form, as URL.hostname compares it.
    return new URL(`http://${bracketed}/`).hostname;
  }
  throw new ConfigError(`${source} contains "${host}", which is not a host name or IPv6 address. List hosts separated by commas, for example 127.0.0.1,[::1].`);
}

function parseAdminKey(raw: string, source: string): string {
  if (raw.length < 32 || /\s/.test(raw)) {
    throw new ConfigError(`${source} is shorter than 32 characters or contains spaces. Generate one with: openssl rand -base64 32`);
  }
  return raw;
}

function parseMetricsToken(raw: string, source: string): string {
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(`${source} must be at least 16 visible ASCII characters without spaces. Generate one with: openssl rand -hex 24`);
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
  if (raw.startsWith('sqlite:')) {
    if (raw.length === 'sqlite:'.length) {
      throw new ConfigError(`${source}="sqlite:" has no file path. Use sqlite:<path>, for example sqlite:/var/lib/askgate/askgate.db.`);
    }
    return raw;
  }
  if (raw.startsWith('redis://') || raw.startsWith('rediss://')) {
    try {
      parseRedisUrl(raw);
    } catch (error) {
      if (error instanceof InvalidRedisUrlError) throw new ConfigError(`${source}: ${error.message}`);
      throw error;
    }
    return raw;
  }
  throw new ConfigError(`${source}="${maskRedisUrl(raw)}" is not a store. Use memory, sqlite:<path>, redis://[:password@]host:port/db or rediss://… for Redis over TLS.`);
}

function parseRedisPrefix(raw: string, source: string): string {
  if (raw.length > 100 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(`${source}="${raw}" is not valid. Use 1 to 100 visible ASCII characters without spaces, for example askgate-eu:.`);
  }
  return raw;
}
