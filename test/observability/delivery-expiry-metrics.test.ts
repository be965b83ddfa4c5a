import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleChallenge, startAskgate, submitAnswer, testSecret } from '../support/harness.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../support/redis.ts';
import { startReceiver } from '../support/receiver.ts';

/** Reads one sample of `/metrics`, or 0 when the series has none yet. */
function sample(metricsText: string, series: string): number {
  const line = metricsText.split('\n').find((candidate) => candidate.startsWith(series + ' '));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition()) && Date.now() < deadline) await Bun.sleep(100);
}

describe('delivery and expiry metrics', () => {
  const receiver = startReceiver();
  const folder = mkdtempSync(join(tmpdir(), 'askgate-metrics-'));
  afterAll(() => {
    receiver.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('counts delivered webhooks', async () => {
    const askgate = await startAskgate({ ASKGATE_WEBHOOK_URL: receiver.url('/ok') });
    try {
      const created = await askgate.createChallenge(sampleChallenge());
      await submitAnswer(created.url, { answer: '1990-04-12' });
      await waitFor(async () => receiver.forChallenge(created.id).length > 0, 5000);
      expect(receiver.forChallenge(created.id).length).toBe(1);

      const metrics = await (await fetch(askgate.apiUrl + '/metrics')).text();
      expect(sample(metrics, 'askgate_webhook_deliveries_total{outcome="delivered"}')).toBeGreaterThanOrEqual(1);
    } finally {
      await askgate.stop();
    }
  });

  // test/api/operations.test.ts covers the memory store. SQLite and Redis expire on their own pollers.
  const durableStores: Array<[string, () => Promise<{ env: Record<string, string>; cleanUp: () => Promise<void> }>]> = [
    ['SQLite', async () => ({ env: { ASKGATE_STORE: `sqlite:${join(folder, 'askgate.db')}` }, cleanUp: async () => {} })],
    [
      'Redis',
      async () => {
        const prefix = uniquePrefix();
        const admin = await connectLocalRedis();
        return {
          env: { ASKGATE_STORE: localRedisUrl, ASKGATE_REDIS_PREFIX: prefix },
          cleanUp: async () => {
            await deleteKeys(admin, prefix);
            admin.close();
          },
        };
      },
    ],
  ];

  test.each(durableStores)('counts %s expiries', async (_name, prepare) => {
    const store = await prepare();
    const askgate = await startAskgate({ ...store.env, ASKGATE_SECRET: testSecret });
    try {
      const created = await askgate.createChallenge(sampleChallenge({ expires_in: 10 }));
      const series = 'askgate_challenges_finished_total{tenant="default",status="expired"}';
      let metrics = '';
      await waitFor(async () => {
        metrics = await (await fetch(askgate.apiUrl + '/metrics')).text();
        return sample(metrics, series) >= 1;
      }, 15_000);
      expect(sample(metrics, series)).toBe(1);

      const expiryLines = askgate.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'challenge expired');
      expect(expiryLines).toHaveLength(1);
      expect(expiryLines[0]).toMatchObject({ level: 'info', tenant: 'default', challenge_id: created.id, attempts: 0 });
    } finally {
      await askgate.stop();
      await store.cleanUp();
    }
  }, 30_000);
});
