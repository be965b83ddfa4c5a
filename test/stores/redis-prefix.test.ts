import type { RedisClient } from 'bun';
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';

describe('ASKGATE_REDIS_PREFIX', () => {
  const prefix = uniquePrefix();
  let admin: RedisClient;
  let askgate: Askgate;
  const createdIds: string[] = [];

  beforeAll(async () => {
    admin = await connectLocalRedis();
    askgate = await startAskgate({ ASKGATE_STORE: localRedisUrl, ASKGATE_REDIS_PREFIX: prefix });
  });

  afterAll(async () => {
    await askgate?.stop({ graceMs: 1000 });
    await deleteKeys(admin, prefix);
    // If askgate ignored the prefix, the challenge sits under the default one. Only its own keys are deleted there.
    for (const id of createdIds) await admin.send('UNLINK', [`askgate:chl:${id}`, `askgate:chl-evt:${id}`]);
    admin.close();
  });

  test('challenge keys use prefix', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    createdIds.push(created.id);

    expect(Number(await admin.send('EXISTS', [`${prefix}chl:${created.id}`]))).toBe(1);
    expect(Number(await admin.send('EXISTS', [`askgate:chl:${created.id}`]))).toBe(0);
    expect(Number(await admin.send('ZCARD', [`${prefix}deadlines`]))).toBe(1);
  });

  test('start-up log names the prefix', () => {
    const opened = askgate.logs.map((line) => JSON.parse(line)).find((line) => line.msg === 'store opened');
    expect(opened).toMatchObject({ store: localRedisUrl, redis_prefix: prefix });
  });
});
