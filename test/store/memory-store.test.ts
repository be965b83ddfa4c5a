import { afterEach, describe, expect, test } from 'bun:test';
import type { Challenge } from '../../src/challenge/challenge.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';

const returnCodePattern = /^[A-Z2-9]{7}$/;

let serial = 0;
const openStores: MemoryStore[] = [];

afterEach(async () => {
  for (const store of openStores.splice(0)) await store.close();
});

function openStore(retentionSeconds: number): MemoryStore {
  const store = new MemoryStore({ retentionSeconds });
  openStores.push(store);
  return store;
}

/** Builds a pending one-question challenge of tenant `t1`, expiring in a minute unless overridden. */
function makeChallenge(overrides: Partial<Challenge> = {}): Challenge {
  serial += 1;
  const now = Date.now();
  return {
    id: `chl_test${String(serial).padStart(18, '0')}`,
    tenantId: 't1',
    clientId: 'cust-1',
    tokenHash: `token-hash-${serial}`,
    questions: [{ id: 'q1', prompt: 'What is your date of birth?', type: 'text', answerHash: 'hash' }],
    verifier: { kind: 'hash' },
    returnTarget: { channel: 'whatsapp', digits: '5491122334455', text: null },
    locale: null,
    metadata: {},
    status: 'pending',
    attempts: 0,
    maxAttempts: 3,
    createdAt: now,
    expiresAt: now + 60_000,
    completedAt: null,
    returnCode: null,
    ...overrides,
  };
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
  test('finds created challenge', async () => {
    const store = openStore(60);
    const challenge = makeChallenge();
    await store.create(challenge);

    const byId = await store.findById('t1', challenge.id);
    expect(byId?.id).toBe(challenge.id);
    expect(byId?.status).toBe('pending');
    const byToken = await store.findByTokenHash(challenge.tokenHash);
    expect(byToken?.id).toBe(challenge.id);
    expect(await store.findById('t1', 'chl_missing')).toBeNull();
    expect(await store.findByTokenHash('no-such-hash')).toBeNull();
    expect(store.challengeCount).toBe(1);
  });

  test('isolates tenants', async () => {
    const store = openStore(60);
    const challenge = makeChallenge();
    await store.create(challenge);

    expect(await store.findById('t2', challenge.id)).toBeNull();
    const canceled = await store.cancel('t2', challenge.id, Date.now());
    expect(canceled.outcome).toBe('not_found');
    expect((await store.findById('t1', challenge.id))?.status).toBe('pending');
  });

  test('counts wrong attempts', async () => {
    const store = openStore(60);
    const challenge = makeChallenge({ maxAttempts: 3 });
    await store.create(challenge);

    const first = await store.recordAttempt(challenge.id, 'wrong', Date.now());
    expect(first.recorded).toBe(true);
    expect(first.challenge?.attempts).toBe(1);
    expect(first.challenge?.status).toBe('pending');

    await store.recordAttempt(challenge.id, 'wrong', Date.now());
    const last = await store.recordAttempt(challenge.id, 'wrong', Date.now());
    expect(last.recorded).toBe(true);
    expect(last.challenge?.attempts).toBe(3);
    expect(last.challenge?.status).toBe('failed');
    expect(last.challenge?.completedAt).not.toBeNull();

    const after = await store.recordAttempt(challenge.id, 'wrong', Date.now());
    expect(after.recorded).toBe(false);
    expect((await store.findById('t1', challenge.id))?.attempts).toBe(3);
  });

  test('caps concurrent attempts', async () => {
    const store = openStore(60);
    const challenge = makeChallenge({ maxAttempts: 4 });
    await store.create(challenge);

    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.recordAttempt(challenge.id, 'wrong', now)));
    expect(results.filter((result) => result.recorded).length).toBe(4);

    const stored = await store.findById('t1', challenge.id);
    expect(stored?.attempts).toBe(4);
    expect(stored?.status).toBe('failed');
  });

  test('passes right answer once', async () => {
    const store = openStore(60);
    const challenge = makeChallenge();
    await store.create(challenge);

    const passed = await store.recordAttempt(challenge.id, 'right', Date.now());
    expect(passed.recorded).toBe(true);
    expect(passed.challenge?.status).toBe('passed');
    expect(passed.challenge?.returnCode).toMatch(returnCodePattern);

    const again = await store.recordAttempt(challenge.id, 'right', Date.now());
    expect(again.recorded).toBe(false);
    expect(again.challenge?.returnCode).toBe(passed.challenge?.returnCode as string);
    expect((await store.findById('t1', challenge.id))?.attempts).toBe(1);
  });

  test('rejects attempt after expiresAt', async () => {
    const store = openStore(60);
    const challenge = makeChallenge();
    await store.create(challenge);

    const result = await store.recordAttempt(challenge.id, 'right', challenge.expiresAt);
    expect(result.recorded).toBe(false);
    expect((await store.findById('t1', challenge.id))?.status).toBe('pending');
  });

  test('cancels pending challenge once', async () => {
    const store = openStore(60);
    const challenge = makeChallenge();
    await store.create(challenge);

    const first = await store.cancel('t1', challenge.id, Date.now());
    expect(first.outcome).toBe('canceled');
    const second = await store.cancel('t1', challenge.id, Date.now());
    expect(second.outcome).toBe('not_pending');
    expect((await store.findById('t1', challenge.id))?.status).toBe('canceled');
  });

  test('calls onFinish once per end', async () => {
    const store = openStore(60);
    const finished: { id: string; status: string }[] = [];
    store.onFinish((challenge) => finished.push({ id: challenge.id, status: challenge.status }));

    const passing = makeChallenge();
    const failing = makeChallenge({ maxAttempts: 1 });
    const canceling = makeChallenge();
    const expiring = makeChallenge({ expiresAt: Date.now() + 50 });
    for (const challenge of [passing, failing, canceling, expiring]) await store.create(challenge);

    await store.recordAttempt(passing.id, 'right', Date.now());
    await store.recordAttempt(passing.id, 'right', Date.now());
    await store.recordAttempt(failing.id, 'wrong', Date.now());
    await store.recordAttempt(failing.id, 'wrong', Date.now());
    await store.cancel('t1', canceling.id, Date.now());
    await store.cancel('t1', canceling.id, Date.now());
    await waitFor(() => finished.some((event) => event.id === expiring.id), 2000);
    await store.cancel('t1', expiring.id, Date.now());

    expect(finished.filter((event) => event.id === passing.id)).toEqual([{ id: passing.id, status: 'passed' }]);
    expect(finished.filter((event) => event.id === failing.id)).toEqual([{ id: failing.id, status: 'failed' }]);
    expect(finished.filter((event) => event.id === canceling.id)).toEqual([{ id: canceling.id, status: 'canceled' }]);
    expect(finished.filter((event) => event.id === expiring.id)).toEqual([{ id: expiring.id, status: 'expired' }]);
    expect(finished.length).toBe(4);
  });

  test('expires by timer', async () => {
    const store = openStore(60);
    const challenge = makeChallenge({ expiresAt: Date.now() + 50 });
    await store.create(challenge);
    expect((await store.findById('t1', challenge.id))?.status).toBe('pending');

    await Bun.sleep(120);
    const expired = await store.findById('t1', challenge.id);
    expect(expired?.status).toBe('expired');
    expect(expired?.completedAt).toBe(challenge.expiresAt);
    expect(store.challengeCount).toBe(1);
  });

  test('drops expired with retention 0', async () => {
    const store = openStore(0);
    const statuses: string[] = [];
    store.onFinish((finished) => statuses.push(finished.status));
    const challenge = makeChallenge({ expiresAt: Date.now() + 50 });
    await store.create(challenge);

    await Bun.sleep(120);
    expect(statuses).toEqual(['expired']);
    expect(await store.findById('t1', challenge.id)).toBeNull();
    expect(await store.findByTokenHash(challenge.tokenHash)).toBeNull();
    expect(store.challengeCount).toBe(0);
  });

  test('drops 100,000 expiring challenges', async () => {
    const store = openStore(0);
    let expiredCount = 0;
    store.onFinish((finished) => {
      if (finished.status === 'expired') expiredCount += 1;
    });

    const total = 100_000;
    const start = Date.now();
    for (let index = 0; index < total; index++) {
      // Deadlines spread over the second after the loop starts, in no particular order.
      await store.create(makeChallenge({ createdAt: start, expiresAt: start + 200 + ((index * 7919) % 1000) }));
    }
    expect(store.challengeCount).toBe(total);

    await waitFor(() => store.challengeCount === 0, 8000);
    expect(store.challengeCount).toBe(0);
    expect(expiredCount).toBe(total);
  }, 15_000);
});
