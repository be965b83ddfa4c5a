import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostTarget, targets } from '../../scripts/build-all.ts';
import { readListenerUrls, repoRoot } from '../support/cli.ts';
import { csrfFrom, sampleChallenge, testApiKey, testSecret } from '../support/harness.ts';

const scriptPath = join(repoRoot, 'scripts/build-all.ts');
const host = hostTarget();
const hostEntry = targets.find((entry) => entry.target === host);
const crossEntry = targets.find((entry) => entry.target !== host) as (typeof targets)[number];

/** Runs the build script; `wrap` prefixes the command, for example to cut the network. */
async function runBuildAll(args: string[], env: Record<string, string> = {}, wrap: string[] = []) {
  const child = Bun.spawn([...wrap, process.execPath, scriptPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, exitCode };
}

describe('build-all host target', () => {
  let outDir: string;
  let build: { stdout: string; stderr: string; exitCode: number };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'askgate-build-all-'));
    // Only the host target is built here: it needs no download, unlike the other targets.
    build = await runBuildAll(['--targets', host, '--out-dir', outDir]);
  }, 180_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  test('host is a listed target', () => {
    expect(hostEntry).toBeDefined();
  });

  test('reports the host build', () => {
    expect(build.exitCode, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toContain(`built   ${host} (host)`);
  });

  test('SHA256SUMS matches the binary', async () => {
    const sums = readFileSync(join(outDir, 'SHA256SUMS'), 'utf8');
    const binary = readFileSync(join(outDir, hostEntry?.output ?? 'missing'));
    const expected = new Bun.CryptoHasher('sha256').update(binary).digest('hex');

    expect(sums).toBe(`${expected}  ${hostEntry?.output}\n`);
  });

  test('binary serves a challenge', async () => {
    const emptyBin = join(outDir, 'bin');
    mkdirSync(emptyBin);
    const child = Bun.spawn([join(outDir, hostEntry?.output ?? 'missing')], {
      cwd: outDir,
      // An empty PATH: the binary must run without bun or node.
      env: { PATH: emptyBin, HOME: outDir, ASKGATE_HOST: '127.0.0.1', ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0', ASKGATE_API_KEY: testApiKey, ASKGATE_SECRET: testSecret, ASKGATE_LOG_FORMAT: 'json' },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const logs = new Response(child.stderr).text();
    try {
      const { apiUrl } = await readListenerUrls(child.stdout, 20_000);
      expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);

      const created = await fetch(`${apiUrl}/v1/challenges`, {
        method: 'POST',
        headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleChallenge()),
      });
      expect(created.status).toBe(201);
      const { url, id } = (await created.json()) as { url: string; id: string };
      const csrf = csrfFrom(await (await fetch(url)).text());
      const answered = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, answer: '1990-04-12' }).toString(),
      });
      expect(answered.status).toBe(200);
      expect(await answered.text()).toContain('id="return-link"');
      const record = await fetch(`${apiUrl}/v1/challenges/${id}`, { headers: { authorization: `Bearer ${testApiKey}` } });
      expect(((await record.json()) as { status: string }).status).toBe('passed');

      child.kill('SIGTERM');
      expect(await child.exited, await logs).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await child.exited;
    }
  });
});

describe('build-all without network', () => {
  let outDir: string;
  let cacheDir: string;

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'askgate-build-offline-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'askgate-bun-cache-'));
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('reports a failed cross target and exits 0', async () => {
    // `unshare -n` runs the script in a new network namespace with no interfaces, and the empty
    // cache holds no runtime, so the cross target cannot be fetched.
    const result = await runBuildAll(['--targets', `${host},${crossEntry.target}`, '--out-dir', outDir], { BUN_INSTALL_CACHE_DIR: cacheDir }, ['unshare', '-n']);

    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`built   ${host} (host)`);
    expect(result.stdout).toContain(`FAILED  ${crossEntry.target}:`);
    expect(result.stdout).toContain('npm registry');
    expect(existsSync(join(outDir, crossEntry.output))).toBe(false);
    const sums = readFileSync(join(outDir, 'SHA256SUMS'), 'utf8');
    expect(sums.trim().split('\n')).toHaveLength(1);
    expect(sums).toContain(`  ${hostEntry?.output}`);
  }, 180_000);

  test('rejects an unknown target', async () => {
    const result = await runBuildAll(['--targets', 'bun-plan9-mips', '--out-dir', outDir]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bun-plan9-mips');
  });
});
