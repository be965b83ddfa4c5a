import { RedisClient } from 'bun';
import type { Logger } from '../../log/logger.ts';
import { StoreUnavailableError } from '../store-errors.ts';
import type { LuaScript } from './scripts/lua-script.ts';
import type { RedisUrlSettings } from './redis-url.ts';

export interface RedisConnectionOptions {
  /** Maximum wait for a reply, connecting included, before a command fails as unavailable. */
  commandTimeoutMs: number;
  /** `true` or TLS options for `rediss://`; `false` for plain TCP. */
  tls: boolean | Bun.TLSOptions;
  /** Arguments placed before each script's own: prefix and retention times. */
  scriptArgs: readonly string[];
  logger: Logger;
}

/**
 * Error replies that mean the server cannot serve now (loading, busy with a script, a replica
 * during failover, out of memory or disk) rather than that the command is wrong.
 */
const transientReplyPrefixes = ['LOADING', 'BUSY', 'READONLY', 'MASTERDOWN', 'TRYAGAIN', 'MISCONF', 'NOREPLICAS', 'OOM'];

/**
 * One connection to Redis through Bun's RedisClient, with a deadline on every command.
 *
 * Bun's own reconnection is turned off. With it, commands sent while the server is down wait in
 * the offline queue (and run late, after the caller has given up), and after `maxRetries` failed
 * tries the client stays closed until `connect()` is called. Instead, a command that finds the
 * client disconnected calls `connect()` itself, one attempt at a time, so the connection comes
 * back with the first command after Redis does. The store's expiry poller sends a command every
 * second, so that happens within about a second even without traffic.
 *
 * A connection that stays open but silent (a network partition without a reset) would make
 * every command time out forever. Bun's `idleTimeout` closes a connection when the server has
 * sent nothing for that long, and the next command then connects again. The poller's replies
 * keep a healthy connection busy, so the idle timeout only fires on a silent server, or after
 * an idle period when the poller is turned off.
 */
export class RedisConnection {
  private readonly client: RedisClient;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private reachable = true;
  private failedCommands = 0;

  constructor(
    private readonly settings: RedisUrlSettings,
    private readonly options: RedisConnectionOptions,
  ) {
    this.client = new RedisClient(settings.clientUrl, {
      connectionTimeout: options.commandTimeoutMs,
      idleTimeout: Math.max(10_000, options.commandTimeoutMs * 4),
      autoReconnect: false,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      tls: options.tls,
    });
  }

  get maskedUrl(): string {
    return this.settings.maskedUrl;
  }

  /**
   * Sends one command. Rejects with StoreUnavailableError when Redis cannot be reached or does
   * not reply within the command timeout. Error replies that point to a bug are thrown unchanged.
   */
  async send(command: string, args: string[]): Promise<unknown> {
    if (this.closed) throw new StoreUnavailableError(`the connection to Redis at ${this.maskedUrl} was closed by close()`);

    try {
      const reply = await this.withDeadline(command, this.sendConnected(command, args));
      this.noteSuccess();
      return reply;
    } catch (error) {
      throw this.noteFailure(command, error);
    }
  }

  /** Runs a script through EVALSHA, falling back to EVAL when Redis does not have it cached. */
  async runScript(script: LuaScript, args: readonly string[]): Promise<unknown> {
    const scriptArgs = ['0', ...this.options.scriptArgs, ...args];
    try {
      return await this.send('EVALSHA', [script.sha1, ...scriptArgs]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await this.send('EVAL', [script.source, ...scriptArgs]);
    }
  }

  /** Closes the connection; later commands fail with StoreUnavailableError. */
  close(): void {
    this.closed = true;
    this.client.close();
  }

  private async sendConnected(command: string, args: string[]): Promise<unknown> {
    if (!this.client.connected) await this.connect();
    return await this.client.send(command, args);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.client.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private withDeadline<T>(command: string, work: Promise<T>): Promise<T> {
    const timeoutMs = this.options.commandTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new StoreUnavailableError(`Redis at ${this.maskedUrl} did not reply to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // The command may still settle after the deadline; its late result is dropped.
    work.catch(() => {});
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }

  private noteSuccess(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.options.logger.info('Redis is reachable again', { store: this.maskedUrl, failed_commands: this.failedCommands });
    this.failedCommands = 0;
  }

  /** Classifies a failure, logs the first of an outage, and returns the error to throw. */
  private noteFailure(command: string, error: unknown): unknown {
    const failure = toStoreError(error, command, this.maskedUrl);
    if (!(failure instanceof StoreUnavailableError)) return failure;

    this.failedCommands += 1;
    if (this.reachable && !this.closed) {
      this.reachable = false;
      this.options.logger.warn('Redis is unreachable; store calls fail until it is back', { store: this.maskedUrl, reason: failure.reason });
    }
    return failure;
  }
}

function toStoreError(error: unknown, command: string, maskedUrl: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (!(error instanceof Error)) return error;

  const code = (error as { code?: unknown }).code;
  // Bun raises error replies with these codes; everything else is a connection or TLS failure.
  const isReply = code === 'ERR_REDIS_SERVER_ERROR' || (typeof code === 'string' && code.startsWith('ERR_REDIS_INVALID'));
  if (isReply && !transientReplyPrefixes.some((prefix) => error.message.startsWith(prefix))) return error;

  const detail = isReply ? `replied "${error.message}"` : `failed: ${error.message}`;
  return new StoreUnavailableError(`Redis at ${maskedUrl} ${detail} (command ${command})`, { cause: error });
}
