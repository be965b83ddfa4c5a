import type { RedisClient } from 'bun';
import { afterAll, afterEach, beforeAll, expect, test } from 'bun:test';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';
import { describeStoreContract } from './contract.ts';

let admin: RedisClient;
const prefixes: string[] = [];

beforeAll(async () => {
  // Throws, and so fails every test, when the local Redis is down: CI must not pass without it.
  admin = await connectLocalRedis();
});

afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteKeys(admin, prefix);
});

afterAll(() => {
  admin?.close();
});

test('local Redis answers', async () => {
  expect(await admin.send('PING', [])).toBe('PONG');
});

describeStoreContract('redis', async (options) => {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return await openRedisStore(localRedisUrl, { ...options, prefix });
});
