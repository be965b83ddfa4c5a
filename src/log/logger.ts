import { currentLogContext } from './log-context.ts';

/**
 * Structured logger: one JSON object per line in production, a short readable line in a
 * terminal. Callers pass ids (request, challenge, tenant) as fields; they must never pass
 * answers, page tokens, API keys or secrets.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; defaults to standard error so that standard output stays for command results. */
  write?: (line: string) => void;
}

export class Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  private readonly write: (line: string) => void;
  private readonly bound: LogFields;

  constructor(options: LoggerOptions, bound: LogFields = {}) {
    this.level = options.level;
    this.format = options.format;
    this.write = options.write ?? ((line) => process.stderr.write(line + '\n'));
    this.bound = bound;
  }

  /** Returns a logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    return new Logger(
      { level: this.level, format: this.format, write: this.write },
      { ...this.bound, ...fields },
    );
  }

  debug(message: string, fields: LogFields = {}): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields: LogFields = {}): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields: LogFields): void {
    if (levelRank[level] < levelRank[this.level]) return;

    const time = new Date().toISOString();
    const all = { ...currentLogContext(), ...this.bound, ...fields };
    if (this.format === 'json') {
      this.write(JSON.stringify({ time, level, msg: message, ...all }));
      return;
    }

    const extras = Object.entries(all)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
    this.write(`${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${message}${extras ? '  ' + extras : ''}`);
  }
}

/** A logger that drops everything, for tests and embedded use. */
export const silentLogger = new Logger({ level: 'error', format: 'json', write: () => {} });
