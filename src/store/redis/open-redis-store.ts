import { silentLogger, type Logger } from '../../log/logger.ts';
import { StoreUnavailableError } from '../store-errors.ts';
import type { RetentionOptions, StoreHooks } from '../store.ts';
import { RedisConnection } from './connection.ts';
import { defaultKeyPrefix, RedisKeys } from './keys.ts';
import { RedisStore } from './redis-store.ts';
import { InvalidRedisUrlError, parseRedisUrl } from './redis-url.ts';

export interface RedisStoreOptions extends RetentionOptions, StoreHooks {
  /** Put before every key, so that several deployments can share one database. Default `askgate:`. */
  prefix?: string;
  /** Maximum wait for one command, connecting included, before it fails as unavailable. Default 1500 ms. */
  commandTimeoutMs?: number;
  /** How often the store expires due challenges. Default 1000 ms; 0 turns the poller off. */
  expiryIntervalMs?: number;
  /**
   * TLS settings for a `rediss://` URL, such as `ca` for a private certificate authority. Without
   * them Bun verifies the server certificate against its default trusted authorities.
   */
  tls?: Bun.TLSOptions;
  /** Receives outage, recovery and poller errors; never the URL's password. */
  logger?: Logger;
}

/**
 * Connects to Redis and returns a store that uses it. The first PING must succeed, so that a
 * wrong host, port, password or database number stops start-up with a clear error.
 *
 * @example const store = await openRedisStore('redis://:s3cret@127.0.0.1:6379/2', { retentionSeconds: 86400, eventRetentionSeconds: 604800 });
 * @throws InvalidRedisUrlError when the URL cannot be parsed, or has TLS options without rediss://.
 * @throws StoreUnavailableError when Redis cannot be reached or rejects the connection.
 */
export async function openRedisStore(url: string, options: RedisStoreOptions): Promise<RedisStore> {
  const settings = parseRedisUrl(url);
  if (options.tls !== undefined && !settings.tls) {
    throw new InvalidRedisUrlError(settings.maskedUrl, 'TLS options were given, but the URL starts with redis://. Use rediss:// to connect with TLS.');
  }
  const logger = options.logger ?? silentLogger;
  const keys = new RedisKeys(options.prefix ?? defaultKeyPrefix);
  const connection = new RedisConnection(settings, {
    commandTimeoutMs: options.commandTimeoutMs ?? 1500,
    tls: settings.tls ? (options.tls ?? true) : false,
    scriptArgs: [keys.prefix, String(options.retentionSeconds * 1000), String(options.eventRetentionSeconds * 1000)],
    logger,
  });

  try {
    await connection.send('PING', []);
  } catch (error) {
    connection.close();
    // Bun reports a rejected password as a closed connection, so the message names it as a cause.
    let reason = String(error);
    if (error instanceof StoreUnavailableError) reason = error.reason;
    else if (error instanceof Error) reason = error.message;
    throw new StoreUnavailableError(
      `cannot use Redis at ${settings.maskedUrl}: ${reason}. Check the host, port, password and database number.`,
      { cause: error },
    );
  }

  return new RedisStore({
    connection,
    keys,
    logger,
    expiryIntervalMs: options.expiryIntervalMs ?? 1000,
    hooks: { onChallengeExpired: options.onChallengeExpired },
  });
}
