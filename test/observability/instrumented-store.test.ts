import { afterEach, describe, expect, test } from 'bun:test';
import { Logger } from '../../src/log/logger.ts';
import { createAskgateMetrics } from '../../src/observability/askgate-metrics.ts';
import { countExpired, instrumentStore } from '../../src/observability/instrumented-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { ChallengeStore, CreateLimits } from '../../src/store/store.ts';
import { makeChallenge } from '../store/contract.ts';

const roomy: CreateLimits = { maxPendingTotal: 1000, maxPendingPerClient: 1 };
const openStores: ChallengeStore[] = [];

afterEach(async () => {
  for (const store of openStores.splice(0)) await store.close();
});

function setup(base?: MemoryStore) {
  const metrics = createAskgateMetrics();
  const logs: string[] = [];
  const logger = new Logger({ level: 'debug', format: 'json', write: (line) => logs.push(line) });
  const inner = base ?? new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 60, onChallengeExpired: countExpired(metrics) });
  const store = instrumentStore(inner, metrics, logger);
  openStores.push(store);
  return { metrics, logs, store };
}

describe('instrumentStore()', () => {
  test('counts created and replaced challenges', async () => {
    const { metrics, store } = setup();
    const first = makeChallenge({ tenantId: 'acme', clientId: 'c1' });
    const second = makeChallenge({ tenantId: 'acme', clientId: 'c1' });

    await store.createChallenge(first, roomy, Date.now());
    await store.createChallenge(second, roomy, Date.now());

    expect(metrics.challengesCreated.get({ tenant: 'acme' })).toBe(2);
    expect(metrics.challengesFinished.get({ tenant: 'acme', status: 'canceled' })).toBe(1);
  });

  test('counts attempts after the end as ended', async () => {
    const { metrics, store } = setup();
    const challenge = makeChallenge({ tenantId: 'acme', maxAttempts: 1 });
    await store.createChallenge(challenge, roomy, Date.now());

    await store.recordAttempt(challenge.id, 'wrong', Date.now());
    await store.recordAttempt(challenge.id, 'right', Date.now());

    expect(metrics.attempts.get({ tenant: 'acme', outcome: 'wrong' })).toBe(1);
    expect(metrics.attempts.get({ tenant: 'acme', outcome: 'ended' })).toBe(1);
    expect(metrics.attempts.get({ tenant: 'acme', outcome: 'right' })).toBe(0);
    expect(metrics.challengesFinished.get({ tenant: 'acme', status: 'failed' })).toBe(1);
  });

  test('counts expiry through the store hook', async () => {
    const { metrics, store } = setup();
    const challenge = makeChallenge({ tenantId: 'acme', expiresAt: Date.now() + 30 });
    await store.createChallenge(challenge, roomy, Date.now());

    const deadline = Date.now() + 2000;
    while (metrics.challengesFinished.get({ tenant: 'acme', status: 'expired' }) === 0 && Date.now() < deadline) await Bun.sleep(10);

    expect(metrics.challengesFinished.get({ tenant: 'acme', status: 'expired' })).toBe(1);
    expect((await store.findChallenge('acme', challenge.id))?.status).toBe('expired');
  });

  test('counts and logs failed calls', async () => {
    class BrokenStore extends MemoryStore {
      override async findChallenge(): Promise<never> {
        throw new Error('read timed out');
      }
    }
    const { metrics, logs, store } = setup(new BrokenStore({ retentionSeconds: 60, eventRetentionSeconds: 60 }));

    await expect(store.findChallenge('acme', 'chl_x')).rejects.toThrow('read timed out');

    expect(metrics.storeErrors.get({ operation: 'findChallenge' })).toBe(1);
    expect(logs).toHaveLength(1);
    const line = JSON.parse(logs[0] as string);
    expect(line.level).toBe('error');
    expect(line.operation).toBe('findChallenge');
    expect(line.error).toBe('Error: read timed out');
  });

  test('passes results through unchanged', async () => {
    const { store } = setup();
    const challenge = makeChallenge({ tenantId: 'acme' });
    await store.createChallenge(challenge, roomy, Date.now());

    const found = await store.findChallenge('acme', challenge.id);
    expect(found?.id).toBe(challenge.id);
    expect(await store.countPending()).toBe(1);
  });
});
