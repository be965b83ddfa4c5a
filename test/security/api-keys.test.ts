import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { checkApiKey, createApiKey, generateApiKey, listApiKeys, revokeApiKey } from '../../src/security/api-keys.ts';
import { sha256 } from '../../src/security/digest.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';

let store: MemoryStore;

beforeEach(() => {
  store = new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 60 });
});

afterEach(async () => {
  await store.close();
});

describe('generateApiKey()', () => {
  test('has prefix and 256 random bits', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
  });
});

describe('createApiKey()', () => {
  test('stores only the hash', async () => {
    const { key, view } = await createApiKey(store, 'acme');
    const [record] = await store.listApiKeys('acme');

    expect(record?.keyHash).toBe(sha256(key));
    expect(JSON.stringify(record)).not.toContain(key);
    expect(view.id).toMatch(/^key_[A-Za-z0-9_-]{22}$/);
    expect(view.tenant).toBe('acme');
    expect(view.prefix).toBe(key.slice(0, 9));
    expect(view.revoked_at).toBeNull();
  });

  test('rejects invalid tenant', async () => {
    for (const tenant of ['', 'a b', 'x'.repeat(65), 'tenant/1', '<b>']) {
      await expect(createApiKey(store, tenant)).rejects.toThrow(TypeError);
    }
    expect(await store.listApiKeys(null)).toHaveLength(0);
  });
});

describe('listApiKeys()', () => {
  test('shows neither key nor hash', async () => {
    const { key } = await createApiKey(store, 'acme');
    const listed = JSON.stringify(await listApiKeys(store, null));

    expect(listed).not.toContain(key);
    expect(listed).not.toContain(sha256(key));
  });

  test('filters by tenant', async () => {
    await createApiKey(store, 'acme');
    await createApiKey(store, 'acme');
    await createApiKey(store, 'globex');

    expect(await listApiKeys(store, 'acme')).toHaveLength(2);
    expect(await listApiKeys(store, 'globex')).toHaveLength(1);
    expect(await listApiKeys(store, null)).toHaveLength(3);
    expect(await listApiKeys(store, 'initech')).toHaveLength(0);
  });
});

describe('checkApiKey()', () => {
  const bootstrapKey = 'ak_bootstrap_' + 'b'.repeat(30);

  test('accepts bootstrap key as default', async () => {
    const check = await checkApiKey(store, sha256(bootstrapKey), bootstrapKey);
    expect(check).toEqual({ accepted: true, caller: { tenantId: 'default', keyId: 'bootstrap' } });
  });

  test('accepts stored key as its tenant', async () => {
    const { key, view } = await createApiKey(store, 'acme');
    const check = await checkApiKey(store, sha256(bootstrapKey), key);
    expect(check).toEqual({ accepted: true, caller: { tenantId: 'acme', keyId: view.id } });
  });

  test('rejects unknown key', async () => {
    const check = await checkApiKey(store, sha256(bootstrapKey), generateApiKey());
    expect(check).toEqual({ accepted: false, reason: 'unknown' });
  });

  test('rejects bootstrap key when unset', async () => {
    const check = await checkApiKey(store, null, bootstrapKey);
    expect(check).toEqual({ accepted: false, reason: 'unknown' });
  });

  test('rejects revoked key', async () => {
    const { key, view } = await createApiKey(store, 'acme');
    const revoked = await revokeApiKey(store, view.id, Date.parse('2026-01-02T03:04:05Z'));

    expect(revoked?.revoked_at).toBe('2026-01-02T03:04:05.000Z');
    expect(await checkApiKey(store, null, key)).toEqual({ accepted: false, reason: 'revoked' });
  });
});

describe('revokeApiKey()', () => {
  test('keeps first revocation time', async () => {
    const { view } = await createApiKey(store, 'acme');
    await revokeApiKey(store, view.id, Date.parse('2026-01-01T00:00:00Z'));
    const again = await revokeApiKey(store, view.id, Date.parse('2026-02-01T00:00:00Z'));
    expect(again?.revoked_at).toBe('2026-01-01T00:00:00.000Z');
  });

  test('returns null for unknown id', async () => {
    expect(await revokeApiKey(store, 'key_doesnotexist')).toBeNull();
  });
});
