import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAskgate, testSecret } from '../support/harness.ts';

const mainPath = join(import.meta.dir, '../../src/main.ts');
const folder = mkdtempSync(join(tmpdir(), 'askgate-keys-'));
const store = `sqlite:${join(folder, 'askgate.db')}`;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function runKeys(args: string[], env: Record<string, string> = { ASKGATE_STORE: store, ASKGATE_SECRET: testSecret }) {
  const child = Bun.spawn([process.execPath, mainPath, 'keys', ...args], {
    cwd: folder,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

describe('askgate keys', () => {
  test('creates, lists and revokes a key', async () => {
    const created = await runKeys(['create', '--tenant', 'shop-7']);
    expect(created.code).toBe(0);
    // Standard output contains only the key, for KEY=$(askgate keys create …).
    expect(created.stdout).toMatch(/^ak_[A-Za-z0-9_-]{43}\n$/);
    const key = created.stdout.trim();
    const id = created.stderr.match(/key_[A-Za-z0-9_-]+/)?.[0] ?? '';
    expect(id).not.toBe('');
    expect(created.stderr).not.toContain(key);

    const listed = await runKeys(['list', '--tenant', 'shop-7']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('shop-7');
    expect(listed.stdout).not.toContain(key);

    // A server on the same file accepts the key as tenant shop-7, until it is revoked.
    const askgate = await startAskgate({ ASKGATE_STORE: store, ASKGATE_SECRET: testSecret });
    try {
      const before = await fetch(askgate.apiUrl + '/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA', { headers: { authorization: `Bearer ${key}` } });
      expect(before.status).toBe(404);

      const revoked = await runKeys(['revoke', '--id', id]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain('Revoked');

      const after = await fetch(askgate.apiUrl + '/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA', { headers: { authorization: `Bearer ${key}` } });
      expect(after.status).toBe(401);
    } finally {
      await askgate.stop();
    }
  });

  test('rejects the memory store', async () => {
    const result = await runKeys(['create', '--tenant', 'shop-7'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('durable store');
    expect(result.stdout).not.toContain('ak_');
  });

  test('requires a tenant to create', async () => {
    const result = await runKeys(['create']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--tenant');
  });

  test('reports an unknown key id', async () => {
    const result = await runKeys(['revoke', '--id', 'key_missing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('key_missing');
  });

  test('second revoke changes nothing', async () => {
    const created = await runKeys(['create', '--tenant', 'shop-8']);
    const id = created.stderr.match(/key_[A-Za-z0-9_-]+/)?.[0] ?? '';
    expect((await runKeys(['revoke', '--id', id])).code).toBe(0);
    const firstList = (await runKeys(['list', '--tenant', 'shop-8'])).stdout;

    const again = await runKeys(['revoke', '--id', id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`API key ${id} of tenant shop-8 was already revoked at `);
    expect(again.stdout).not.toContain('Revoked');
    expect((await runKeys(['list', '--tenant', 'shop-8'])).stdout).toBe(firstList);
  });

  test('help lists only the store options', async () => {
    const result = await runKeys(['--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--store <URI>', '--secret <text>', '--redis-prefix <text>', '--tenant <name>', '--id <key id>']) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).not.toContain('--api-port <port>');
  });

  test('list names an unknown tenant', async () => {
    const result = await runKeys(['list', '--tenant', 'nobody-here']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('No API keys stored for tenant nobody-here.');
  });

  test('rejects an unknown action', async () => {
    const result = await runKeys(['rotate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('create, list or revoke');
  });
});
