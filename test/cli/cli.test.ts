import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { readUntil, runCli, spawnCli } from '../support/cli.ts';

let workDir: string;
const servers: Bun.Subprocess<'ignore', 'pipe', 'pipe'>[] = [];

beforeAll(() => {
  // A folder without cert.pem or key.pem, so that the CLI starts without TLS. It also has no
  // tsconfig.json, which checks that the pages' JSX pragmas suffice.
  workDir = mkdtempSync(join(tmpdir(), 'askgate-cli-'));
});

afterAll(async () => {
  for (const child of servers) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('askgate CLI', () => {
  test('--help lists options and units', async () => {
    const { exitCode, stdout } = await runCli(['--help'], workDir);

    expect(exitCode).toBe(0);
    expect(stdout).toContain('--api-port <port>');
    expect(stdout).toContain('--web-port <port>');
    expect(stdout).toContain('ASKGATE_EXPIRATION');
    expect(stdout).toContain('--expiration <seconds>');
    expect(stdout).toContain('--validation-timeout-ms <milliseconds>');
    expect(stdout).toContain('env: ASKGATE_API_PORT, or api_port');
  });

  test('--version prints package version', async () => {
    const { exitCode, stdout } = await runCli(['--version'], workDir);

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
      const { exitCode, stdout, stderr } = await runCli(args, workDir, env);

      expect(exitCode).toBe(2);
      expect(stderr).toContain(named);
      expect(stdout).not.toContain('listening');
    });
  }

  test('unknown command exits 2', async () => {
    const { exitCode, stderr } = await runCli(['frobnicate'], workDir);

    expect(exitCode).toBe(2);
    expect(stderr).toContain('frobnicate');
  });

  test('serve starts and stops on SIGTERM', async () => {
    const child = spawnCli([], workDir, { ASKGATE_HOST: '127.0.0.1', ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0' });
    servers.push(child);
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
    const listeningLog = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((line) => line.msg === 'listening');
    expect(listeningLog).toMatchObject({ level: 'info', api_url: apiUrl });
  });
});
