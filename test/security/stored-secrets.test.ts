import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sha256 } from '../../src/security/digest.ts';
import { deriveSealKey, openText, sealText } from '../../src/security/sealed-box.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { ChallengeStore } from '../../src/store/store.ts';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

const canaryAnswer = 'Stored-Canary-Answer-4419';

/** Wraps a store and records the arguments of every call, to see what askgate hands it. */
function recordingStore(inner: ChallengeStore): { store: ChallengeStore; calls: { method: string; args: unknown[] }[] } {
  const calls: { method: string; args: unknown[] }[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(property), args });
        return value.apply(target, args);
      };
    },
  });
  return { store, calls };
}

let askgate: Askgate;
let calls: { method: string; args: unknown[] }[];

beforeAll(async () => {
  const recording = recordingStore(new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 60 }));
  calls = recording.calls;
  askgate = await startAskgate({}, { store: recording.store });
});

afterAll(async () => {
  await askgate.stop();
});

describe('what the store receives', () => {
  test('challenge holds no answer or token', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ answer: canaryAnswer }));
    const token = new URL(created.url).pathname.slice('/c/'.length);
    const stored = calls.find((call) => call.method === 'createChallenge' && JSON.stringify(call.args).includes(created.id));
    const text = JSON.stringify(stored?.args);

    expect(stored).toBeDefined();
    expect(text).not.toContain(canaryAnswer);
    expect(text.toLowerCase()).not.toContain(canaryAnswer.toLowerCase());
    expect(text).not.toContain(token);
    expect(text).toContain(sha256(token));
    expect(text).toContain('answerHash');
  });

  test('idempotent reply stored encrypted', async () => {
    const body = sampleChallenge({ answer: canaryAnswer });
    const first = await (await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': 'sealed-1' } })).json();
    const token = new URL(first.url).pathname.slice('/c/'.length);
    const completion = calls.find((call) => call.method === 'completeIdempotencyKey' && call.args[1] === 'sealed-1');
    const reply = completion?.args[2] as { status: number; body: string };

    expect(reply.status).toBe(201);
    expect(reply.body).toStartWith('v1.');
    expect(reply.body).not.toContain(token);
    expect(reply.body).not.toContain(first.id);

    const replay = await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': 'sealed-1' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await replay.json()).url).toBe(first.url);
  });

  test('idempotency fingerprint is keyed', async () => {
    const body = sampleChallenge({ answer: canaryAnswer });
    await (await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': 'keyed-1' } })).text();
    const claim = calls.find((call) => call.method === 'claimIdempotencyKey' && call.args[1] === 'keyed-1');
    const fingerprint = claim?.args[2] as string;

    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fingerprint).not.toBe(sha256(JSON.stringify(body)));
  });

  test('reply under old secret is replaced', async () => {
    const body = sampleChallenge();
    const first = await (await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': 'rotated-1' } })).json();
    const claim = calls.findLast((call) => call.method === 'claimIdempotencyKey' && call.args[1] === 'rotated-1');
    const fingerprint = claim?.args[2] as string;

    // Stores the reply again as if it had been sealed before ASKGATE_SECRET changed.
    const oldKey = deriveSealKey('an-earlier-secret-'.padEnd(40, 'x'), 'idempotent reply');
    await askgate.store.releaseIdempotencyKey('default', 'rotated-1');
    await askgate.store.claimIdempotencyKey('default', 'rotated-1', fingerprint, 60, Date.now());
    await askgate.store.completeIdempotencyKey('default', 'rotated-1', { status: 201, body: sealText(oldKey, JSON.stringify(first)) });

    const response = await askgate.api('/v1/challenges', { body, headers: { 'idempotency-key': 'rotated-1' } });
    const created = await response.json();
    expect(response.status).toBe(201);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(created.id).not.toBe(first.id);
    expect(askgate.logs.some((line) => line.includes('cannot be decrypted'))).toBe(true);
  });
});

describe('sealText()', () => {
  const key = deriveSealKey('seal-test-secret-'.padEnd(40, 's'), 'test');

  test('round-trips text', () => {
    const sealed = sealText(key, 'https://verify.example/c/token');
    expect(sealed).toStartWith('v1.');
    expect(sealed).not.toContain('token');
    expect(openText(key, sealed)).toBe('https://verify.example/c/token');
  });

  test('uses a fresh IV each time', () => {
    expect(sealText(key, 'same')).not.toBe(sealText(key, 'same'));
  });

  test('rejects other key, tampering, garbage', () => {
    const sealed = sealText(key, 'payload');
    const otherKey = deriveSealKey('seal-test-secret-'.padEnd(40, 's'), 'other purpose');
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[14] = (bytes[14] as number) ^ 1;

    expect(openText(otherKey, sealed)).toBeNull();
    expect(openText(key, 'v1.' + bytes.toString('base64url'))).toBeNull();
    expect(openText(key, 'v1.AAAA')).toBeNull();
    expect(openText(key, 'payload')).toBeNull();
  });
});
