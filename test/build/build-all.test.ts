import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFlags, hostTarget, targets } from '../../scripts/build-all.ts';
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

/**
 * Starts a built binary with an empty PATH, so that it must run without bun or node, and takes
 * one challenge through create, page, right answer and status. Then stops it with SIGTERM and
 * expects exit code 0.
 */
async function serveOneChallenge(command: string[], workDir: string, startTimeoutMs: number): Promise<void> {
  const emptyBin = mkdtempSync(join(workDir, 'bin-'));
  const child = Bun.spawn(command, {
    cwd: workDir,
    env: { PATH: emptyBin, HOME: workDir, ASKGATE_HOST: '127.0.0.1', ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0', ASKGATE_API_KEY: testApiKey, ASKGATE_SECRET: testSecret, ASKGATE_LOG_FORMAT: 'json' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const logs = new Response(child.stderr).text();
  try {
    const { apiUrl } = await readListenerUrls(child.stdout, startTimeoutMs);
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

  test('flags match bun run build', () => {
    const buildScript = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { build: string } }).scripts.build;
    expect(compileFlags.filter((flag) => !buildScript.split(' ').includes(flag))).toEqual([]);
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
    await serveOneChallenge([join(outDir, hostEntry?.output ?? 'missing')], outDir, 20_000);
  });

  test('binary ignores .env and bunfig.toml', async () => {
    const folder = mkdtempSync(join(outDir, 'cwd-'));
    const marker = join(folder, 'preloaded');
    writeFileSync(join(folder, '.env'), 'ASKGATE_EXPIRATION=777\n');
    writeFileSync(join(folder, 'preload.ts'), `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    writeFileSync(join(folder, 'bunfig.toml'), 'preload = ["./preload.ts"]\n');

    const child = Bun.spawn([join(outDir, hostEntry?.output ?? 'missing'), 'check-config'], { cwd: folder, env: { PATH: '/usr/bin:/bin', HOME: folder }, stdout: 'pipe', stderr: 'pipe' });
    const [stdout, exitCode] = await Promise.all([new Response(child.stdout).text(), child.exited]);

    expect(exitCode).toBe(0);
    expect(stdout.split('\n').find((line) => line.startsWith('ASKGATE_EXPIRATION '))).toMatch(/\s300\s+default$/);
    expect(existsSync(marker)).toBe(false);
  });
});

/**
 * The other Linux architecture, run through Debian's qemu-user-static with that architecture's
 * C library from libc6-<arch>-cross (.ci/run installs both).
 */
const emulated = {
  'bun-linux-x64': { target: 'bun-linux-arm64', qemu: '/usr/bin/qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', packages: 'qemu-user-static libc6-arm64-cross' },
  'bun-linux-arm64': { target: 'bun-linux-x64', qemu: '/usr/bin/qemu-x86_64-static', sysroot: '/usr/x86_64-linux-gnu', packages: 'qemu-user-static libc6-amd64-cross' },
}[host];

describe('build-all cross target under qemu', () => {
  let outDir: string;
  let build: { stdout: string; stderr: string; exitCode: number };
  const entry = targets.find((candidate) => candidate.target === emulated?.target);

  beforeAll(async () => {
    if (emulated === undefined) throw new Error(`No emulated Linux target is set up for host ${host}; this test runs on linux-x64 and linux-arm64.`);
    if (!existsSync(emulated.qemu) || !existsSync(emulated.sysroot)) {
      throw new Error(`${emulated.qemu} or ${emulated.sysroot} is missing. Install them with: apt-get install -y ${emulated.packages}`);
    }
    outDir = mkdtempSync(join(tmpdir(), 'askgate-build-cross-'));
    // The target's Bun runtime comes from the npm registry on first use, then from Bun's cache.
    build = await runBuildAll(['--targets', emulated.target, '--out-dir', outDir]);
  }, 300_000);

  afterAll(() => {
    if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
  });

  test('reports the cross build', () => {
    expect(build.exitCode, build.stdout + build.stderr).toBe(0);
    expect(build.stdout).toContain(`built   ${emulated?.target} ->`);
  });

  test('emulated binary serves a challenge', async () => {
    const binary = join(outDir, entry?.output ?? 'missing');
    await serveOneChallenge([emulated?.qemu ?? 'missing', '-L', emulated?.sysroot ?? 'missing', binary], outDir, 90_000);
  }, 180_000);
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
