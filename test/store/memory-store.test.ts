import { afterEach, describe, expect, test } from 'bun:test';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { CreateLimits } from '../../src/store/store.ts';
import { makeChallenge } from './contract.ts';

// The behaviour shared with the other stores is in contract.ts; this file covers what only the
// memory store does: expiry and purging by its own deadline timer, without expireDue calls.

const roomy: CreateLimits = { maxPendingTotal: 10_000_000, maxPendingPerClient: 100 };
const openStores: MemoryStore[] = [];

afterEach(async () => {
  for (const store of openStores.splice(0)) await store.close();
});

function openStore(retentionSeconds: number, eventRetentionSeconds = 3600): MemoryStore {
  const store = new MemoryStore({ retentionSeconds, eventRetentionSeconds });
  openStores.push(store);
  return store;
}

/** Polls `condition` every 20 ms until it is true or `timeoutMs` passes. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return;
    await Bun.sleep(20);
  }
}

describe('MemoryStore', () => {
  test('stores one event per end', async () => {
    const store = openStore(60);
    const passing = makeChallenge();
    const failing = makeChallenge({ maxAttempts: 1 });
    const canceling = makeChallenge();
    const expiring = makeChallenge({ expiresAt: Date.now() + 50 });
    for (const challenge of [passing, failing, canceling, expiring]) await store.createChallenge(challenge, roomy, Date.now());

    await store.recordAttempt(passing.id, 'right', Date.now());
    await store.recordAttempt(passing.id, 'right', Date.now());
    await store.recordAttempt(failing.id, 'wrong', Date.now());
    await store.recordAttempt(failing.id, 'wrong', Date.now());
    await store.cancelChallenge('tenant-a', canceling.id, Date.now());
    await store.cancelChallenge('tenant-a', canceling.id, Date.now());
    await waitFor(async () => (await store.findChallenge('tenant-a', expiring.id))?.status === 'expired', 2000);
    await store.cancelChallenge('tenant-a', expiring.id, Date.now());

    const typesOf = async (id: string) => (await store.listEvents('tenant-a', { challengeId: id, limit: 10 })).map((event) => event.type);
    expect(await typesOf(passing.id)).toEqual(['challenge.passed']);
    expect(await typesOf(failing.id)).toEqual(['challenge.failed']);
    expect(await typesOf(canceling.id)).toEqual(['challenge.canceled']);
    expect(await typesOf(expiring.id)).toEqual(['challenge.expired']);
  });

  test('expires by timer', async () => {
    const store = openStore(60);
    const challenge = makeChallenge({ expiresAt: Date.now() + 50 });
    await store.createChallenge(challenge, roomy, Date.now());
    expect((await store.findChallenge('tenant-a', challenge.id))?.status).toBe('pending');

    await Bun.sleep(120);
    const expired = await store.findChallenge('tenant-a', challenge.id);
    expect(expired?.status).toBe('expired');
    expect(expired?.completedAt).toBe(challenge.expiresAt);
    expect(store.challengeCount).toBe(1);
    expect(await store.countPending()).toBe(0);
  });

  test('drops expired with retention 0', async () => {
    const store = openStore(0);
    const challenge = makeChallenge({ expiresAt: Date.now() + 50 });
    await store.createChallenge(challenge, roomy, Date.now());

    await Bun.sleep(120);
    expect(await store.findChallenge('tenant-a', challenge.id)).toBeNull();
    expect(await store.findChallengeByToken(challenge.tokenHash)).toBeNull();
    expect(store.challengeCount).toBe(0);
    const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['challenge.expired']);
  });

  test('drops 100,000 expiring challenges', async () => {
    const store = openStore(0);
    const total = 100_000;
    const start = Date.now();
    for (let index = 0; index < total; index++) {
      // Deadlines spread over the second after the loop starts, in no particular order.
      const challenge = makeChallenge({ createdAt: start, expiresAt: start + 200 + ((index * 7919) % 1000), webhookUrl: null });
      await store.createChallenge(challenge, roomy, start);
    }
    expect(store.challengeCount).toBe(total);

    await waitFor(() => store.challengeCount === 0, 8000);
    expect(store.challengeCount).toBe(0);
    expect(await store.countPending()).toBe(0);
  }, 15_000);
});

describe('memory store event order', () => {
  test('equal times fall back to id', async () => {
    const store = new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 3600 });
    try {
      const limits: CreateLimits = { maxPendingTotal: 1000, maxPendingPerClient: 10 };
      for (let index = 0; index < 60; index++) {
        const challenge = makeChallenge();
        await store.createChallenge(challenge, limits, Date.now());
        await store.cancelChallenge('tenant-a', challenge.id, Date.now());
      }
      const events = await store.listEvents('tenant-a', { limit: 100 });
      expect(events).toHaveLength(60);
      const expected = [...events].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      expect(events.map((event) => event.id)).toEqual(expected.map((event) => event.id));
      // Sixty cancels take a few milliseconds, so some events share a time and the id decides.
      expect(new Set(events.map((event) => event.createdAt)).size).toBeLessThan(60);
    } finally {
      await store.close();
    }
  });
});
