import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };

const repoRoot = resolve(import.meta.dir, '../..');
const mainPath = join(repoRoot, 'src/main.ts');

let workDir: string;
const children: Bun.Subprocess<'ignore', 'pipe', 'pipe'>[] = [];

beforeAll(() => {
  // A folder without cert.pem or key.pem, so that the CLI starts without TLS.
  workDir = mkdtempSync(join(tmpdir(), 'askgate-cli-'));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
  rmSync(workDir, { recursive: true, force: true });
});

function spawnCli(args: string[], env: Record<string, string> = {}) {
  // The working folder has no tsconfig.json, which checks that the pages' JSX pragmas suffice.
  const child = Bun.spawn([process.execPath, mainPath, ...args], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? workDir, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  children.push(child);
  return child;
}

/** Runs the CLI to completion and returns its exit code and output. */
async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawnCli(args, env);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

/** Reads `stream` until `done` accepts the text so far, or fails after `timeoutMs`. */
async function readUntil(stream: ReadableStream<Uint8Array>, done: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(text)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for output. Output so far: ${text}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for output. Output so far: ${text}`)), remaining);
      });
      const chunk = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error(`output ended before the expected line. Output so far: ${text}`);
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

describe('askgate CLI', () => {
  test('--help lists options and units', async () => {
    const { exitCode, stdout } = await runCli(['--help']);

    expect(exitCode).toBe(0);
    expect(stdout).toContain('--api-port <port>');
    expect(stdout).toContain('--web-port <port>');
    expect(stdout).toContain('ASKGATE_EXPIRATION');
    expect(stdout).toContain('--expiration <seconds>');
    expect(stdout).toContain('--validation-timeout-ms <milliseconds>');
    expect(stdout).toContain('env: ASKGATE_API_PORT, or api_port');
  });

  test('--version prints package version', async () => {
    const { exitCode, stdout } = await runCli(['--version']);

    expect(exitCode).toBe(0);
    expect(stdout.trim()).toBe(packageJson.version);
  });

  const invalid: [name: string, args: string[], env: Record<string, string>, named: string][] = [
    ['API port out of range', [], { ASKGATE_API_PORT: '70000' }, 'ASKGATE_API_PORT'],
    ['expiration not a number', [], { ASKGATE_EXPIRATION: 'abc' }, 'ASKGATE_EXPIRATION'],
    ['public URL with ftp', [], { ASKGATE_PUBLIC_URL: 'ftp://x' }, 'ASKGATE_PUBLIC_URL'],
    ['TLS cert without key', [], { ASKGATE_TLS_CERT: '/nonexistent/cert.pem' }, 'ASKGATE_TLS_KEY'],
    ['API port flag out of range', ['--api-port', '70000'], {}, '--api-port'],
    ['unknown flag', ['--no-such-flag'], {}, '--no-such-flag'],
  ];

  for (const [name, args, env, named] of invalid) {
    test(`exits 2 on ${name}`, async () => {
      const { exitCode, stdout, stderr } = await runCli(args, env);

      expect(exitCode).toBe(2);
      expect(stderr).toContain(named);
      expect(stdout).not.toContain('listening');
    });
  }

  test('unknown command exits 2', async () => {
    const { exitCode, stderr } = await runCli(['frobnicate']);

    expect(exitCode).toBe(2);
    expect(stderr).toContain('frobnicate');
  });

  test('serve starts and stops on SIGTERM', async () => {
    const child = spawnCli([], { ASKGATE_HOST: '127.0.0.1', ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0' });
    const stderrText = new Response(child.stderr).text();

    const stdout = await readUntil(child.stdout, (text) => /Development API key.*\n/.test(text), 20000);
    const lines = stdout.split('\n').filter(Boolean);
    const listening = lines.filter((line) => line.includes('listening'));
    const keyLines = lines.filter((line) => line.includes('Development API key'));

    expect(listening).toHaveLength(2);
    expect(listening[0]).toMatch(/^askgate API listening on http:\/\/127\.0\.0\.1:\d+ /);
    expect(listening[1]).toMatch(/^askgate customer page listening on http:\/\/127\.0\.0\.1:\d+ /);
    expect(keyLines).toHaveLength(1);
    expect(keyLines[0]).toMatch(/ ak_[A-Za-z0-9_-]+$/);

    // The printed key works against the printed API address.
    const apiUrl = /listening on (http:\/\/[^\s]+)/.exec(listening[0] ?? '')?.[1] ?? '';
    const apiKey = / (ak_[A-Za-z0-9_-]+)$/.exec(keyLines[0] ?? '')?.[1] ?? '';
    const health = await fetch(`${apiUrl}/healthz`);
    expect(health.status).toBe(200);
    const unknown = await fetch(`${apiUrl}/v1/challenges/ch_does_not_exist`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(`${apiUrl}/v1/challenges/ch_does_not_exist`);
    expect(anonymous.status).toBe(401);

    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.signalCode).toBeNull();
    const logs = await stderrText;
    expect(logs).toContain('shutting down');
    expect(logs).toContain('SIGTERM');
    expect(logs).not.toContain(apiKey);
  });
});
