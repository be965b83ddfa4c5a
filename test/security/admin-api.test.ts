import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sha256 } from '../../src/security/digest.ts';
import { sampleChallenge, startAskgate, testApiKey, type Askgate } from '../support/harness.ts';

const adminKey = 'admin-key-for-tests-' + 'a'.repeat(24);
const problemJson = 'application/problem+json; charset=utf-8';

function admin(server: Askgate, path: string, init: { method?: string; body?: unknown; key?: string | null } = {}): Promise<Response> {
  const key = init.key === undefined ? adminKey : init.key;
  return fetch(server.apiUrl + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

function withKey(server: Askgate, key: string, path: string, body?: unknown): Promise<Response> {
  return fetch(server.apiUrl + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('admin API off', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate();
  });

  afterAll(async () => {
    await askgate.stop();
  });

  const routes: [string, string, unknown][] = [
    ['POST', '/admin/v1/keys', { tenant: 'acme' }],
    ['GET', '/admin/v1/keys', undefined],
    ['DELETE', '/admin/v1/keys/key_x', undefined],
  ];
  for (const [method, path, body] of routes) {
    test(`${method} ${path} is 404`, async () => {
      const response = await admin(askgate, path, { method, body });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe(problemJson);
      expect((await response.json()).code).toBe('not_found');
    });
  }

  test('openapi omits admin routes', async () => {
    const document = await (await fetch(askgate.apiUrl + '/openapi.json')).json();
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/admin'))).toEqual([]);
  });
});

describe('admin API on', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_ADMIN_KEY: adminKey });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  const badKeys: [string, string | null][] = [
    ['missing key', null],
    ['wrong key', 'admin-key-for-tests-' + 'b'.repeat(24)],
    ['API key', testApiKey],
  ];
  for (const [name, key] of badKeys) {
    test(`rejects ${name}`, async () => {
      const response = await admin(askgate, '/admin/v1/keys', { key });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe(problemJson);
      expect(response.headers.get('www-authenticate')).toStartWith('Bearer');
      expect((await response.json()).code).toBe('unauthorized');
    });
  }

  test('rejects admin key on /v1', async () => {
    const response = await withKey(askgate, adminKey, '/v1/challenges', sampleChallenge());
    expect(response.status).toBe(401);
  });

  test('creates key shown once', async () => {
    const response = await admin(askgate, '/admin/v1/keys', { body: { tenant: 'acme' } });
    const created = await response.json();
    expect(response.status).toBe(201);
    expect(created.key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
    expect(created.id).toMatch(/^key_/);
    expect(created.tenant).toBe('acme');
    expect(created.prefix).toBe(created.key.slice(0, 9));
    expect(created.revoked_at).toBeNull();

    const listed = await admin(askgate, '/admin/v1/keys?tenant=acme');
    const text = await listed.text();
    expect(listed.status).toBe(200);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(sha256(created.key));
    const entry = JSON.parse(text).keys.find((key: { id: string }) => key.id === created.id);
    expect(Object.keys(entry).sort()).toEqual(['created_at', 'id', 'prefix', 'revoked_at', 'tenant']);
  });

  test('new key creates for its tenant', async () => {
    const { key } = await (await admin(askgate, '/admin/v1/keys', { body: { tenant: 'globex' } })).json();
    const response = await withKey(askgate, key, '/v1/challenges', sampleChallenge());
    expect(response.status).toBe(201);
    const { id } = await response.json();

    expect((await askgate.store.findChallenge('globex', id))?.tenantId).toBe('globex');
    expect(await askgate.store.findChallenge('default', id)).toBeNull();
  });

  test('lists by tenant', async () => {
    await admin(askgate, '/admin/v1/keys', { body: { tenant: 'initech' } });
    await admin(askgate, '/admin/v1/keys', { body: { tenant: 'initech' } });
    const { keys } = await (await admin(askgate, '/admin/v1/keys?tenant=initech')).json();
    expect(keys).toHaveLength(2);
    expect(keys.every((key: { tenant: string }) => key.tenant === 'initech')).toBe(true);

    const all = await (await admin(askgate, '/admin/v1/keys')).json();
    expect(all.keys.length).toBeGreaterThanOrEqual(3);
  });

  test('revoked key gets 401', async () => {
    const created = await (await admin(askgate, '/admin/v1/keys', { body: { tenant: 'umbrella' } })).json();
    expect((await withKey(askgate, created.key, '/v1/challenges', sampleChallenge())).status).toBe(201);

    const revoked = await admin(askgate, `/admin/v1/keys/${created.id}`, { method: 'DELETE' });
    const view = await revoked.json();
    expect(revoked.status).toBe(200);
    expect(view.revoked_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(view).not.toHaveProperty('key');

    const rejected = await withKey(askgate, created.key, '/v1/challenges', sampleChallenge());
    expect(rejected.status).toBe(401);
    expect((await rejected.json()).code).toBe('unauthorized');
    expect(askgate.logs.some((line) => line.includes('API key not accepted') && line.includes('"reason":"revoked"'))).toBe(true);
  });

  test('bootstrap key keeps working', async () => {
    const response = await askgate.api('/v1/challenges', { body: sampleChallenge() });
    expect(response.status).toBe(201);
  });

  test('revoking unknown id is 404', async () => {
    const response = await admin(askgate, '/admin/v1/keys/key_unknown', { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect((await response.json()).code).toBe('not_found');
  });

  test('rejects invalid tenant', async () => {
    for (const tenant of ['', 'has space', 'x'.repeat(65), '<b>bold</b>']) {
      const response = await admin(askgate, '/admin/v1/keys', { body: { tenant } });
      const text = await response.text();
      expect({ tenant, status: response.status }).toEqual({ tenant, status: 400 });
      expect(JSON.parse(text).errors[0].field).toBe('tenant');
      if (tenant !== '') expect(text).not.toContain(tenant);
    }
  });

  test('logs key creation without key', async () => {
    const created = await (await admin(askgate, '/admin/v1/keys', { body: { tenant: 'hooli' } })).json();
    const line = askgate.logs.find((entry) => entry.includes('API key created') && entry.includes(created.id));
    expect(line).toBeDefined();
    expect(askgate.logs.join('\n')).not.toContain(created.key);
  });
});
