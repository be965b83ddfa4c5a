import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import type { Challenge } from '../../src/challenge/challenge.ts';
import { randomBase64Url } from '../../src/security/random.ts';
import type { ChallengeStore, CreateLimits, StoreHooks } from '../../src/store/store.ts';
import { makeChallenge } from '../support/stored-challenge.ts';

export { makeChallenge };

/** Creates a fresh, empty store for one test; `retentionSeconds`, hooks and the like come from the suite. */
export type StoreFactory = (options: { retentionSeconds: number; eventRetentionSeconds: number } & StoreHooks) => Promise<ChallengeStore>;

const roomy: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };

/**
 * The behaviour every store must share. Run it unchanged against each backend, so that memory,
 * SQLite and Redis cannot drift apart.
 */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} store contract`, () => {
    let store: ChallengeStore;
    let expiredByHook: Challenge[];

    beforeEach(async () => {
      expiredByHook = [];
      store = await factory({
        retentionSeconds: 60,
        eventRetentionSeconds: 3600,
        onChallengeExpired: (challenge) => expiredByHook.push(challenge),
      });
    });
    afterEach(async () => {
      await store.close();
    });

    test('create then find by id and token', async () => {
      const challenge = makeChallenge();
      const result = await store.createChallenge(challenge, roomy, Date.now());
      expect(result.created).toBe(true);
      const byId = await store.findChallenge('tenant-a', challenge.id);
      expect(byId).toEqual(challenge);
      const byToken = await store.findChallengeByToken(challenge.tokenHash);
      expect(byToken?.id).toBe(challenge.id);
      expect(await store.countPending()).toBeGreaterThanOrEqual(1);
    });

    test('find hides other tenants', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      expect(await store.findChallenge('tenant-b', challenge.id)).toBeNull();
      expect(await store.findChallenge('tenant-a', 'chl_missing')).toBeNull();
      expect(await store.findChallengeByToken('no-such-token-hash')).toBeNull();
    });

    test('wrong answers fail at max attempts', async () => {
      const challenge = makeChallenge({ maxAttempts: 2 });
      await store.createChallenge(challenge, roomy, Date.now());
      const first = await store.recordAttempt(challenge.id, 'wrong', Date.now());
      expect(first.recorded).toBe(true);
      expect(first.challenge?.status).toBe('pending');
      expect(first.challenge?.attempts).toBe(1);
      const second = await store.recordAttempt(challenge.id, 'wrong', Date.now());
      expect(second.challenge?.status).toBe('failed');
      expect(second.challenge?.attempts).toBe(2);
      const third = await store.recordAttempt(challenge.id, 'right', Date.now());
      expect(third.recorded).toBe(false);
      expect(third.challenge?.status).toBe('failed');
    });

    test('concurrent wrong answers count max attempts', async () => {
      const challenge = makeChallenge({ maxAttempts: 3 });
      await store.createChallenge(challenge, roomy, Date.now());
      const results = await Promise.all(Array.from({ length: 50 }, () => store.recordAttempt(challenge.id, 'wrong', Date.now())));
      expect(results.filter((result) => result.recorded).length).toBe(3);
      const stored = await store.findChallenge('tenant-a', challenge.id);
      expect(stored?.attempts).toBe(3);
      expect(stored?.status).toBe('failed');
      const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      expect(events.length).toBe(1);
      expect(events[0]?.type).toBe('challenge.failed');
    });

    test('concurrent right answers pass once', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      const results = await Promise.all(Array.from({ length: 50 }, () => store.recordAttempt(challenge.id, 'right', Date.now())));
      expect(results.filter((result) => result.recorded).length).toBe(1);
      const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      expect(events.map((event) => event.type)).toEqual(['challenge.passed']);
    });

    test('pass assigns a return code', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      const result = await store.recordAttempt(challenge.id, 'right', Date.now());
      expect(result.challenge?.status).toBe('passed');
      expect(result.challenge?.returnCode).toMatch(/^[A-HJ-NP-Z2-9]{7}$/);
      expect(result.challenge?.completedAt).not.toBeNull();
      const [event] = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      expect(JSON.parse(event?.body ?? '{}').data.return_code).toBe(result.challenge?.returnCode);
    });

    test('attempts after expiry do not count', async () => {
      const challenge = makeChallenge({ expiresAt: Date.now() - 1 });
      await store.createChallenge(challenge, roomy, Date.now() - 10);
      const result = await store.recordAttempt(challenge.id, 'right', Date.now());
      expect(result.recorded).toBe(false);
    });

    test('cancel once then not pending', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      expect((await store.cancelChallenge('tenant-b', challenge.id, Date.now())).outcome).toBe('not_found');
      const first = await store.cancelChallenge('tenant-a', challenge.id, Date.now());
      expect(first.outcome).toBe('canceled');
      const second = await store.cancelChallenge('tenant-a', challenge.id, Date.now());
      expect(second.outcome).toBe('not_pending');
      const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      expect(events.map((event) => event.type)).toEqual(['challenge.canceled']);
    });

    test('expireDue expires once', async () => {
      const challenge = makeChallenge({ expiresAt: Date.now() + 50 });
      await store.createChallenge(challenge, roomy, Date.now());
      await Bun.sleep(80);
      await Promise.all([store.expireDue(Date.now()), store.expireDue(Date.now())]);
      await store.expireDue(Date.now());
      const stored = await store.findChallenge('tenant-a', challenge.id);
      expect(stored?.status).toBe('expired');
      const events = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      expect(events.map((event) => event.type)).toEqual(['challenge.expired']);
    });

    test('expireDue calls expiry hook once', async () => {
      const due = makeChallenge({ expiresAt: Date.now() + 50 });
      const later = makeChallenge({ expiresAt: Date.now() + 60_000 });
      await store.createChallenge(due, roomy, Date.now());
      await store.createChallenge(later, roomy, Date.now());
      await Bun.sleep(80);
      // The memory store may already have expired it on its own timer, so the counts may be 0.
      const counts = await Promise.all([store.expireDue(Date.now()), store.expireDue(Date.now()), store.expireDue(Date.now())]);
      expect(counts.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(1);
      expect(expiredByHook.map((challenge) => [challenge.id, challenge.tenantId, challenge.status])).toEqual([
        [due.id, 'tenant-a', 'expired'],
      ]);
      expect(expiredByHook[0]?.completedAt).toBe(due.expiresAt);
    });

    test('pending limit rejects creation', async () => {
      const limits: CreateLimits = { maxPendingTotal: (await store.countPending()) + 1, maxPendingPerClient: 100 };
      expect((await store.createChallenge(makeChallenge(), limits, Date.now())).created).toBe(true);
      const second = await store.createChallenge(makeChallenge(), limits, Date.now());
      expect(second.created).toBe(false);
    });

    test('per-client limit replaces the oldest', async () => {
      const limits: CreateLimits = { maxPendingTotal: 1_000_000, maxPendingPerClient: 1 };
      const first = makeChallenge({ clientId: 'same-client-' + randomBase64Url(4) });
      const second = makeChallenge({ clientId: first.clientId });
      await store.createChallenge(first, limits, Date.now());
      const result = await store.createChallenge(second, limits, Date.now());
      expect(result.created).toBe(true);
      expect(result.created && result.replaced.map((challenge) => challenge.id)).toEqual([first.id]);
      expect((await store.findChallenge('tenant-a', first.id))?.status).toBe('canceled');
      expect((await store.findChallenge('tenant-a', second.id))?.status).toBe('pending');
    });

    test('confirm checks code and window', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      expect((await store.confirmReturnCode('tenant-a', challenge.id, 'AAAAAAA', Date.now(), 60_000)).outcome).toBe('not_passed');
      const passed = await store.recordAttempt(challenge.id, 'right', Date.now());
      const code = passed.challenge?.returnCode ?? '';
      expect((await store.confirmReturnCode('tenant-b', challenge.id, code, Date.now(), 60_000)).outcome).toBe('not_found');
      expect((await store.confirmReturnCode('tenant-a', challenge.id, 'AAAAAAA', Date.now(), 60_000)).outcome).toBe('mismatch');
      expect((await store.confirmReturnCode('tenant-a', challenge.id, code, Date.now() + 120_000, 60_000)).outcome).toBe('window_closed');
      const confirmed = await store.confirmReturnCode('tenant-a', challenge.id, code, Date.now(), 60_000);
      expect(confirmed.outcome).toBe('confirmed');
      expect(confirmed.outcome === 'confirmed' && confirmed.challenge.confirmedAt).toBeGreaterThan(0);
      expect((await store.confirmReturnCode('tenant-a', challenge.id, code, Date.now(), 60_000)).outcome).toBe('already_confirmed');
    });

    test('idempotency claim, replay and mismatch', async () => {
      const key = 'key-' + randomBase64Url(6);
      const now = Date.now();
      expect((await store.claimIdempotencyKey('tenant-a', key, 'fp1', 60, now)).state).toBe('claimed');
      expect((await store.claimIdempotencyKey('tenant-a', key, 'fp1', 60, now)).state).toBe('in_progress');
      await store.completeIdempotencyKey('tenant-a', key, { status: 201, body: '{"id":"chl_x"}' });
      const replay = await store.claimIdempotencyKey('tenant-a', key, 'fp1', 60, now);
      expect(replay).toEqual({ state: 'replay', reply: { status: 201, body: '{"id":"chl_x"}' } });
      expect((await store.claimIdempotencyKey('tenant-a', key, 'fp2', 60, now)).state).toBe('mismatch');
      expect((await store.claimIdempotencyKey('tenant-b', key, 'fp2', 60, now)).state).toBe('claimed');
      await store.releaseIdempotencyKey('tenant-b', key);
      expect((await store.claimIdempotencyKey('tenant-b', key, 'fp3', 60, now)).state).toBe('claimed');
    });

    test('rate limit counts per window', async () => {
      const key = 'rate-' + randomBase64Url(6);
      const now = Date.now();
      const hits = [];
      for (let i = 0; i < 4; i++) hits.push(await store.hitRateLimit(key, 3, 60, now));
      expect(hits.map((hit) => hit.allowed)).toEqual([true, true, true, false]);
      expect(hits[3]?.retryAfterSeconds).toBeGreaterThan(0);
      expect(hits[3]?.retryAfterSeconds).toBeLessThanOrEqual(60);
      await store.resetRateLimit(key);
      expect((await store.hitRateLimit(key, 3, 60, now)).count).toBe(1);
    });

    test('concurrent rate limit hits are atomic', async () => {
      const key = 'rate-' + randomBase64Url(6);
      const hits = await Promise.all(Array.from({ length: 30 }, () => store.hitRateLimit(key, 10, 60, Date.now())));
      expect(hits.filter((hit) => hit.allowed).length).toBe(10);
    });

    test('api keys save, find, list, revoke', async () => {
      const tenant = 'tenant-' + randomBase64Url(4);
      const record = { id: 'key_' + randomBase64Url(8), tenantId: tenant, keyHash: randomBase64Url(32), prefix: 'ak_abcd', createdAt: Date.now(), revokedAt: null };
      await store.saveApiKey(record);
      expect(await store.findApiKeyByHash(record.keyHash)).toEqual(record);
      expect((await store.listApiKeys(tenant)).map((key) => key.id)).toEqual([record.id]);
      expect(await store.revokeApiKey(record.id, Date.now())).toBe(true);
      expect((await store.findApiKeyByHash(record.keyHash))?.revokedAt).not.toBeNull();
      expect(await store.revokeApiKey('key_missing', Date.now())).toBe(false);
    });

    test('events lease, retry and deliver', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      await store.cancelChallenge('tenant-a', challenge.id, Date.now());
      const now = Date.now() + 1000;
      const leased = (await store.leaseDueEvents(now, 100, 30_000)).filter((event) => event.challengeId === challenge.id);
      expect(leased.length).toBe(1);
      const event = leased[0]!;
      expect(event.status).toBe('pending');
      const again = (await store.leaseDueEvents(now, 100, 30_000)).filter((item) => item.challengeId === challenge.id);
      expect(again.length).toBe(0);

      await store.recordDelivery(event.id, { at: now, status: 500, error: 'status 500', durationMs: 3 }, { status: 'pending', nextAttemptAt: now + 5000 });
      expect((await store.leaseDueEvents(now + 1000, 100, 30_000)).some((item) => item.id === event.id)).toBe(false);
      const retried = (await store.leaseDueEvents(now + 6000, 100, 30_000)).filter((item) => item.id === event.id);
      expect(retried.length).toBe(1);

      await store.recordDelivery(event.id, { at: now + 6000, status: 204, error: null, durationMs: 2 }, { status: 'delivered' });
      const stored = await store.findEvent('tenant-a', event.id);
      expect(stored?.status).toBe('delivered');
      expect(stored?.attempts.map((attempt) => attempt.status)).toEqual([500, 204]);
      expect(await store.findEvent('tenant-b', event.id)).toBeNull();
      expect((await store.listEvents('tenant-a', { status: 'delivered', challengeId: challenge.id, limit: 10 })).length).toBe(1);
      expect((await store.listEvents('tenant-a', { status: 'pending', challengeId: challenge.id, limit: 10 })).length).toBe(0);

      const redelivered = await store.redeliverEvent('tenant-a', event.id, now + 7000);
      expect(redelivered?.status).toBe('pending');
      expect((await store.leaseDueEvents(now + 7000, 100, 30_000)).some((item) => item.id === event.id)).toBe(true);
      expect(await store.redeliverEvent('tenant-b', event.id, now)).toBeNull();
    });

    test('lapsed lease makes event due again', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      await store.cancelChallenge('tenant-a', challenge.id, Date.now());
      const now = Date.now() + 1000;
      const first = (await store.leaseDueEvents(now, 100, 1000)).filter((event) => event.challengeId === challenge.id);
      expect(first.length).toBe(1);
      const later = (await store.leaseDueEvents(now + 2000, 100, 1000)).filter((event) => event.challengeId === challenge.id);
      expect(later.length).toBe(1);
    });

    test('event without endpoint is not leased', async () => {
      const challenge = makeChallenge({ webhookUrl: null });
      await store.createChallenge(challenge, roomy, Date.now());
      await store.cancelChallenge('tenant-a', challenge.id, Date.now());
      const [event] = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      expect(event?.status).toBe('no_endpoint');
      const leased = await store.leaseDueEvents(Date.now() + 1000, 100, 1000);
      expect(leased.some((item) => item.challengeId === challenge.id)).toBe(false);
    });

    test('event body carries no secrets', async () => {
      const challenge = makeChallenge();
      await store.createChallenge(challenge, roomy, Date.now());
      await store.recordAttempt(challenge.id, 'right', Date.now());
      const [event] = await store.listEvents('tenant-a', { challengeId: challenge.id, limit: 10 });
      const body = event?.body ?? '';
      expect(body).not.toContain(challenge.tokenHash);
      expect(body).not.toContain(challenge.questions[0]!.answerHash!);
      const parsed = JSON.parse(body);
      expect(Object.keys(parsed).sort()).toEqual(['data', 'timestamp', 'type']);
      expect(parsed.data.id).toBe(challenge.id);
      expect(parsed.data.client_id).toBe(challenge.clientId);
      expect(parsed.data.metadata).toEqual({ conversation: 'abc' });
    });

    test('ping succeeds', async () => {
      await store.ping();
      expect(await store.countPending()).toBeGreaterThanOrEqual(0);
    });
  });
}
