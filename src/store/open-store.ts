import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import { MemoryStore } from './memory-store.ts';
import { openRedisStore } from './redis/open-redis-store.ts';
import { maskRedisUrl } from './redis/redis-url.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { ChallengeStore, StoreHooks } from './store.ts';

/**
 * Opens the store that `ASKGATE_STORE` names. Redis must reply to a PING before this returns.
 * Every store calls `hooks` for the changes it makes on its own, such as expiries.
 */
export async function openStore(config: Config, logger: Logger, hooks: StoreHooks = {}): Promise<ChallengeStore> {
  const retention = { retentionSeconds: config.retentionSeconds, eventRetentionSeconds: config.eventRetentionSeconds };
  if (config.store === 'memory') return new MemoryStore({ ...retention, ...hooks });
  if (config.store.startsWith('sqlite:')) {
    return openSqliteStore(config.store.slice('sqlite:'.length), { ...retention, ...hooks, logger: logger.child({ store: 'sqlite' }) });
  }
  return openRedisStore(config.store, { ...retention, ...hooks, prefix: config.redisPrefix, logger: logger.child({ store: 'redis' }) });
}

/** Returns the store setting with any password masked, for logs and start-up lines. */
export function describeStore(store: string): string {
  return store.startsWith('redis') ? maskRedisUrl(store) : store;
}
