import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { optionSpecs } from '../../src/config/config.ts';
import { mainPath, readListenerUrls, runCli } from '../support/cli.ts';
import { testApiKey, testSecret } from '../support/harness.ts';

const webhookSecret = 'whsec_' + Buffer.from('check-config-webhook-secret-0123').toString('base64');
const metricsToken = 'check-config-metrics-token-42';

let workDir: string;

beforeAll(() => {
  // A folder without cert.pem or key.pem, so that no command picks up TLS files.
  workDir = mkdtempSync(join(tmpdir(), 'askgate-commands-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('--version and --help', () => {
  for (const command of ['serve', 'cert', 'check-config', 'healthcheck']) {
    test(`${command} --version prints version`, async () => {
      const result = await runCli([command, '--version'], workDir);

      expect(result.exitCode).toBe(0);
      expect(result.stdout.trim()).toBe(packageJson.version);
    });

    test(`${command} --help exits 0`, async () => {
      const result = await runCli([command, '--help'], workDir);

      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`askgate ${command === 'serve' ? '[serve]' : command}`);
    });
  }

  for (const command of ['serve', 'check-config', 'healthcheck']) {
    test(`${command} --help lists every setting with unit`, async () => {
      const { stdout } = await runCli([command, '--help'], workDir);

      for (const spec of Object.values(optionSpecs)) {
        expect(stdout).toContain(`--${spec.flag} <${spec.unit}>`);
        expect(stdout).toContain(`env: ${spec.env}`);
      }
    });
  }

  test('top-level help lists commands', async () => {
    const { stdout } = await runCli(['--help'], workDir);

    expect(stdout).toContain('askgate check-config');
    expect(stdout).toContain('askgate healthcheck');
    expect(stdout).toContain('askgate cert');
    expect(stdout).toContain('--shutdown-grace-ms <milliseconds>');
  });

  test('healthcheck help shows timeout unit', async () => {
    const { stdout } = await runCli(['healthcheck', '--help'], workDir);

    expect(stdout).toContain('--timeout-ms <milliseconds>');
  });
});

describe('askgate check-config', () => {
  test('prints table with secrets masked', async () => {
    const result = await runCli(['check-config', '--api-port', '9123'], workDir, {
      ASKGATE_API_KEY: testApiKey,
      ASKGATE_SECRET: testSecret,
      ASKGATE_WEBHOOK_SECRET: webhookSecret,
      ASKGATE_METRICS_TOKEN: metricsToken,
      ASKGATE_EXPIRATION: '600',
      web_port: '8181',
    });

    expect(result.exitCode).toBe(0);
    const rows = result.stdout.split('\n');
    const row = (variable: string) => rows.find((line) => line.startsWith(variable + ' ')) ?? '';
    expect(row('ASKGATE_API_PORT')).toMatch(/\s9123\s+--api-port$/);
    expect(row('ASKGATE_WEB_PORT')).toMatch(/\s8181\s+web_port$/);
    expect(row('ASKGATE_EXPIRATION')).toMatch(/\s600\s+ASKGATE_EXPIRATION$/);
    expect(row('ASKGATE_RETENTION')).toMatch(/\s900\s+default$/);
    expect(row('ASKGATE_API_KEY')).toContain('********');
    expect(row('ASKGATE_SECRET')).toContain('********');
    expect(row('ASKGATE_WEBHOOK_SECRET')).toContain('********');
    expect(row('ASKGATE_METRICS_TOKEN')).toContain('********');
    for (const secret of [testApiKey, testSecret, webhookSecret, metricsToken]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });

  test('warns about an example public URL', async () => {
    const example = await runCli(['check-config', '--public-url', 'https://verify.example.com'], workDir);
    expect(example.exitCode).toBe(0);
    expect(example.stdout).toContain('warning: ASKGATE_PUBLIC_URL is https://verify.example.com, an example address');

    const real = await runCli(['check-config', '--public-url', 'https://verify.bank-example.test'], workDir);
    expect(real.stdout).not.toContain('an example address');
  });

  test('lists every setting once', async () => {
    const { stdout } = await runCli(['check-config'], workDir);

    for (const spec of Object.values(optionSpecs)) {
      const rows = stdout.split('\n').filter((line) => line.startsWith(spec.env + ' '));
      expect(rows).toHaveLength(1);
    }
  });

  test('warns about missing secrets', async () => {
    const { stdout } = await runCli(['check-config'], workDir);

    expect(stdout).toContain('warning: ASKGATE_SECRET is not set');
    expect(stdout).toContain('warning: ASKGATE_API_KEY is not set');
  });

  test('exits 2 naming the setting', async () => {
    const result = await runCli(['check-config'], workDir, { ASKGATE_SHUTDOWN_GRACE_MS: 'soon' });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ASKGATE_SHUTDOWN_GRACE_MS');
    expect(result.stdout).not.toContain('configuration is valid');
  });

  test('masks a store URL password in errors', async () => {
    const result = await runCli(['check-config'], workDir, { ASKGATE_STORE: 'redis://askgate:Store-Password-77@127.0.0.1:6379/not-a-number' });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ASKGATE_STORE');
    expect(result.stderr).toContain('redis://askgate:');
    expect(result.stderr).not.toContain('Store-Password-77');
  });

  test('masks a store URL password in the table', async () => {
    const result = await runCli(['check-config'], workDir, {
      ASKGATE_STORE: 'redis://askgate:Store-Password-77@127.0.0.1:6379/0',
      ASKGATE_SECRET: 'check-config-secret-'.padEnd(40, 'x'),
    });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('ASKGATE_STORE');
    expect(result.stdout).toContain('127.0.0.1:6379/0');
    expect(result.stdout).not.toContain('Store-Password-77');
    expect(result.stdout).not.toContain('check-config-secret-');
  });

  test('rejects a short metrics token', async () => {
    const result = await runCli(['check-config', '--metrics-token', 'short'], workDir);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--metrics-token');
    expect(result.stderr).not.toContain('short');
  });
});

describe('askgate healthcheck', () => {
  test('exits 1 when nothing listens', async () => {
    // Port 1 is privileged and unused here, so the connection is refused.
    const result = await runCli(['healthcheck', '--api-port', '1', '--timeout-ms', '2000'], workDir);

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('unhealthy: GET http://127.0.0.1:1/healthz failed');
  });

  test('exits 2 on invalid timeout', async () => {
    const result = await runCli(['healthcheck', '--timeout-ms', '0'], workDir);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--timeout-ms');
  });

  test('exits 0 against a running server', async () => {
    const server = Bun.spawn([process.execPath, mainPath, 'serve'], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ASKGATE_HOST: '0.0.0.0', ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0', ASKGATE_API_KEY: testApiKey, ASKGATE_SECRET: testSecret },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'ignore',
    });
    try {
      const { apiUrl } = await readListenerUrls(server.stdout, 20_000);
      const port = new URL(apiUrl).port;
      const result = await runCli(['healthcheck'], workDir, { ASKGATE_HOST: '0.0.0.0', ASKGATE_API_PORT: port });

      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`healthy: GET http://127.0.0.1:${port}/healthz returned 200`);
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  });
});
