import { afterEach, describe, expect, test } from 'bun:test';
import type { StoredQuestion } from '../../src/challenge/challenge.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { CreateLimits } from '../../src/store/store.ts';
import { makeChallenge } from './contract.ts';

// The memory store shares equal nested values between records to save memory. These tests pin
// down what callers see of that: equal values, frozen shared objects, untouched inputs.

const roomy: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };
const openStores: MemoryStore[] = [];

afterEach(async () => {
  for (const store of openStores.splice(0)) await store.close();
});

function openStore(): MemoryStore {
  const store = new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 3600 });
  openStores.push(store);
  return store;
}

describe('MemoryStore sharing', () => {
  test('shares equal return targets', async () => {
    const store = openStore();
    const first = makeChallenge();
    const second = makeChallenge();
    await store.createChallenge(first, roomy, Date.now());
    await store.createChallenge(second, roomy, Date.now());

    const storedFirst = await store.findChallenge('tenant-a', first.id);
    const storedSecond = await store.findChallenge('tenant-a', second.id);
    expect(storedFirst?.returnTarget).toEqual(first.returnTarget);
    expect(storedSecond?.returnTarget).toBe(storedFirst!.returnTarget);
    expect(storedSecond?.verifier).toBe(storedFirst!.verifier);
    expect(storedSecond?.questions[0]?.prompt).toBe(first.questions[0]!.prompt);
    expect(Object.isFrozen(storedFirst?.returnTarget)).toBe(true);
  });

  test('leaves the input unfrozen', async () => {
    const store = openStore();
    const challenge = makeChallenge({ metadata: {} });
    await store.createChallenge(challenge, roomy, Date.now());
    expect(Object.isFrozen(challenge.returnTarget)).toBe(false);
    expect(Object.isFrozen(challenge.metadata)).toBe(false);
    expect(Object.isFrozen(challenge.questions)).toBe(false);
    expect(await store.findChallenge('tenant-a', challenge.id)).toEqual(challenge);
  });

  test('keeps different targets apart', async () => {
    const store = openStore();
    const whatsapp = makeChallenge();
    const telegram = makeChallenge({ returnTarget: { channel: 'telegram', bot: 'acme_help_bot', payload: null } });
    await store.createChallenge(whatsapp, roomy, Date.now());
    await store.createChallenge(telegram, roomy, Date.now());
    expect((await store.findChallenge('tenant-a', whatsapp.id))?.returnTarget).toEqual(whatsapp.returnTarget);
    expect((await store.findChallenge('tenant-a', telegram.id))?.returnTarget).toEqual(telegram.returnTarget);
  });

  test('returns every question', async () => {
    const store = openStore();
    const questions: StoredQuestion[] = [
      { id: 'dob', prompt: 'What is your date of birth?', type: 'text', answerHash: 'hash-1' },
      {
        id: 'city',
        prompt: 'Where were you born?',
        type: 'choice',
        answerHash: 'hash-2',
        choices: [
          { id: 'a', label: 'Lisbon' },
          { id: 'b', label: 'Porto' },
        ],
      },
    ];
    const challenge = makeChallenge({ questions });
    await store.createChallenge(challenge, roomy, Date.now());
    expect((await store.findChallenge('tenant-a', challenge.id))?.questions).toEqual(questions);
    expect((await store.findChallengeByToken(challenge.tokenHash))?.questions).toEqual(questions);
  });

  test('tracks several pending per client', async () => {
    const store = openStore();
    const limits: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 2 };
    const clientId = 'client-shared';
    const [first, second, third] = [makeChallenge({ clientId }), makeChallenge({ clientId }), makeChallenge({ clientId })];
    await store.createChallenge(first!, limits, Date.now());
    await store.createChallenge(second!, limits, Date.now());
    const result = await store.createChallenge(third!, limits, Date.now());
    expect(result.created && result.replaced.map((challenge) => challenge.id)).toEqual([first!.id]);

    await store.cancelChallenge('tenant-a', second!.id, Date.now());
    const fourth = makeChallenge({ clientId });
    const afterCancel = await store.createChallenge(fourth, limits, Date.now());
    expect(afterCancel.created).toBe(true);
    expect(afterCancel.created && afterCancel.replaced.length).toBe(0);
    expect((await store.findChallenge('tenant-a', third!.id))?.status).toBe('pending');
    expect((await store.findChallenge('tenant-a', fourth.id))?.status).toBe('pending');
    expect(await store.countPending()).toBe(2);
  });
});
