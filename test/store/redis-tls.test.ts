import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../../src/security/self-signed-cert.ts';
import { StoreUnavailableError } from '../../src/store/store-errors.ts';
import { openRedisStore } from '../../src/store/redis/open-redis-store.ts';
import { InvalidRedisUrlError } from '../../src/store/redis/redis-url.ts';
import { freePort, OwnRedisServer } from '../support/redis.ts';
import { makeChallenge } from './contract.ts';

const password = 'tls-test-pw';
const retention = { retentionSeconds: 60, eventRetentionSeconds: 3600 };

describe('redis store over TLS', () => {
  const { certPem, keyPem } = createSelfSignedCertificate({ hosts: ['127.0.0.1'] });
  const port = freePort();
  let folder: string;
  let server: OwnRedisServer;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'askgate-redis-tls-'));
    await Bun.write(join(folder, 'cert.pem'), certPem);
    await Bun.write(join(folder, 'key.pem'), keyPem);
    // The later --port 0 turns plain TCP off, so the TLS port is the only way in.
    server = new OwnRedisServer(port, [
      '--port', '0',
      '--tls-port', String(port),
      '--tls-cert-file', join(folder, 'cert.pem'),
      '--tls-key-file', join(folder, 'key.pem'),
      '--tls-auth-clients', 'no',
      '--requirepass', password,
    ]);
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  test('rediss with trusted CA works', async () => {
    const store = await openRedisStore(`rediss://:${password}@127.0.0.1:${port}/1`, { ...retention, tls: { ca: certPem } });
    try {
      const challenge = makeChallenge();
      expect((await store.createChallenge(challenge, { maxPendingTotal: 10, maxPendingPerClient: 10 }, Date.now())).created).toBe(true);
      expect((await store.findChallenge('tenant-a', challenge.id))?.id).toBe(challenge.id);
    } finally {
      await store.close();
    }
  });

  test('untrusted certificate is rejected', async () => {
    let error: unknown = null;
    await openRedisStore(`rediss://:${password}@127.0.0.1:${port}/1`, retention).catch((caught: unknown) => {
      error = caught;
    });
    expect(error).toBeInstanceOf(StoreUnavailableError);
  });

  test('plain redis to TLS port fails', async () => {
    let error: unknown = null;
    await openRedisStore(`redis://:${password}@127.0.0.1:${port}/1`, { ...retention, commandTimeoutMs: 1000 }).catch((caught: unknown) => {
      error = caught;
    });
    expect(error).toBeInstanceOf(StoreUnavailableError);
  });

  test('TLS options need rediss', async () => {
    const open = () => openRedisStore(`redis://127.0.0.1:${port}/1`, { ...retention, tls: { ca: certPem } });
    await expect(open()).rejects.toThrow(InvalidRedisUrlError);
    await expect(open()).rejects.toThrow('Use rediss://');
  });
});
