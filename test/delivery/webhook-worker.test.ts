import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Challenge } from '../../src/challenge/challenge.ts';
import { WebhookWorker } from '../../src/delivery/webhook-worker.ts';
import { Logger } from '../../src/log/logger.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { generateWebhookSecret, startReceiver, waitUntil, type Receiver } from '../support/receiver.ts';
import { makeChallenge } from '../support/stored-challenge.ts';

let receiver: Receiver;

beforeAll(() => {
  receiver = startReceiver({ slowMs: 600 });
});

afterAll(() => {
  receiver.stop();
});

function pendingChallenge(webhookUrl: string): Challenge {
  return makeChallenge({ metadata: {}, webhookUrl });
}

/** Creates a store with one canceled challenge whose event goes to `path` on the receiver. */
async function storeWithEvent(path: string) {
  const store = new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 3600 });
  const challenge = pendingChallenge(receiver.url(path));
  await store.createChallenge(challenge, { maxPendingTotal: 100, maxPendingPerClient: 1 }, Date.now());
  await store.cancelChallenge('tenant-a', challenge.id, Date.now());
  return { store, challenge };
}

function startWorker(store: MemoryStore, logs: string[]) {
  const worker = new WebhookWorker({
    store,
    logger: new Logger({ level: 'debug', format: 'json', write: (line) => logs.push(line) }),
    signingSecrets: () => [generateWebhookSecret()],
    timeoutMs: 5000,
    retryScheduleSeconds: [1],
    pollIntervalMs: 50,
  });
  worker.start();
  return worker;
}

describe('WebhookWorker.stop', () => {
  test('waits for a delivery in flight', async () => {
    const { store, challenge } = await storeWithEvent('/slow');
    const worker = startWorker(store, []);
    await waitUntil(() => receiver.forChallenge(challenge.id).length === 1, 2000, 'the delivery to start');

    expect(worker.inFlightCount).toBe(1);
    await worker.stop(5000);
    const [event] = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 1 });
    expect(event?.status).toBe('delivered');
    expect(receiver.forChallenge(challenge.id)[0]?.answeredAt).not.toBeNull();
    await store.close();
  }, 15_000);

  test('gives up after the grace period', async () => {
    const { store, challenge } = await storeWithEvent('/hang');
    const logs: string[] = [];
    const worker = startWorker(store, logs);
    await waitUntil(() => receiver.forChallenge(challenge.id).length === 1, 2000, 'the delivery to start');

    const started = performance.now();
    await worker.stop(200);
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(190);
    expect(elapsedMs).toBeLessThan(1000);
    const [event] = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 1 });
    expect(event?.status).toBe('pending');
    expect(event?.attempts).toHaveLength(0);
    expect(logs.some((line) => line.includes('shutdown grace period ended'))).toBe(true);
    await store.close();
  });

  test('stops leasing', async () => {
    const store = new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 3600 });
    const worker = startWorker(store, []);
    await worker.stop(100);
    const challenge = pendingChallenge(receiver.url('/ok'));
    await store.createChallenge(challenge, { maxPendingTotal: 100, maxPendingPerClient: 1 }, Date.now());
    await store.cancelChallenge('tenant-a', challenge.id, Date.now());
    worker.nudge();
    await Bun.sleep(200);

    expect(receiver.forChallenge(challenge.id)).toHaveLength(0);
    await store.close();
  });
});
