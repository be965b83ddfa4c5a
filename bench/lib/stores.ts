import { RedisClient } from 'bun';
import { existsSync, rmSync } from 'node:fs';

/** Key prefix of askgate's Redis store (its default); the harness deletes these keys after a run. */
const redisKeyPrefix = 'askgate:';

/** A short, password-free name of a store spec for tables and logs. */
export function storeLabel(spec: string): string {
  if (spec.startsWith('sqlite:')) return 'sqlite';
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) return 'redis';
  return spec;
}

/** Shows a store spec without the password a Redis URL may carry. */
export function maskStore(spec: string): string {
  return spec.replace(/^(rediss?:\/\/)([^@/]*)@/, (_whole, scheme: string) => `${scheme}***@`);
}

async function countRedisKeys(client: RedisClient): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = (await client.send('SCAN', [cursor, 'MATCH', redisKeyPrefix + '*', 'COUNT', '1000'])) as [string, string[]];
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

async function deleteRedisKeys(client: RedisClient): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = (await client.send('SCAN', [cursor, 'MATCH', redisKeyPrefix + '*', 'COUNT', '1000'])) as [string, string[]];
    cursor = next;
    if (keys.length > 0) deleted += (await client.send('DEL', keys)) as number;
  } while (cursor !== '0');
  return deleted;
}

/**
 * Checks that a store starts empty, so that the harness never mixes its data with someone
 * else's, and returns the cleanup to run after each scenario: SQLite files are deleted, and
 * Redis keys under the askgate prefix are deleted from the database named in the URL.
 */
export async function prepareStore(spec: string): Promise<{ cleanup: () => Promise<void> }> {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    const files = [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
    if (files.some((file) => existsSync(file))) {
      throw new Error(`${path} already exists; give --store sqlite:<path> a path that does not exist, because the harness deletes it after each scenario`);
    }
    return { cleanup: async () => files.forEach((file) => rmSync(file, { force: true })) };
  }

  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const client = new RedisClient(spec);
    try {
      const existing = await countRedisKeys(client);
      if (existing > 0) {
        throw new Error(`${maskStore(spec)} already holds ${existing} keys under "${redisKeyPrefix}"; use an empty database number for the benchmark`);
      }
    } finally {
      client.close();
    }
    return {
      cleanup: async () => {
        const cleaner = new RedisClient(spec);
        try {
          await deleteRedisKeys(cleaner);
        } finally {
          cleaner.close();
        }
      },
    };
  }

  return { cleanup: async () => {} };
}
