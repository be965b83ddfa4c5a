import { ConfigError } from './config-error.ts';

/**
 * One configuration setting: its environment variable, the seed's older name accepted as a
 * fallback, the CLI flag that overrides both, and how its text value is parsed.
 */
export interface OptionSpec<T> {
  key: string;
  env: string;
  seedEnv?: string;
  flag: string;
  description: string;
  /** Shown in `--help`, for example "seconds" or "port". */
  unit?: string;
  secret?: boolean;
  parse: (raw: string, source: string) => T;
}

export function parsePort(raw: string, source: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError(
      `${source}="${raw}" is not a valid port. Set it to a whole number from 1 to 65535 (0 picks any free port).`,
    );
  }
  return port;
}

export function parseIntegerInRange(min: number, max: number, unit: string) {
  return (raw: string, source: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new ConfigError(
        `${source}="${raw}" is not valid. Set it to a whole number of ${unit} from ${min} to ${max}.`,
      );
    }
    return value;
  };
}

export function parseHttpUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `${source}="${raw}" is not a URL. Set it to an absolute http:// or https:// URL.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `${source}="${raw}" uses ${url.protocol.slice(0, -1)}, which is not supported. Use an http:// or https:// URL.`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(`${source} must not contain a user name or password. Remove them from the URL.`);
  }
  return raw.replace(/\/+$/, '');
}

/** Accepts true or false, in any case. */
export function parseBoolean(raw: string, source: string): boolean {
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${source}="${raw}" is not valid. Set it to true or false.`);
}

export function parseChoice<T extends string>(choices: readonly T[]) {
  return (raw: string, source: string): T => {
    if (!(choices as readonly string[]).includes(raw)) {
      throw new ConfigError(`${source}="${raw}" is not valid. Use one of: ${choices.join(', ')}.`);
    }
    return raw as T;
  };
}

export function parseText(raw: string): string {
  return raw;
}
