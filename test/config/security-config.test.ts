import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

function load(env: Record<string, string>) {
  return loadConfig(env, {}, '/nonexistent-dir-without-pem-files', false);
}

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('security settings', () => {
  test('defaults', () => {
    const config = load({});
    expect(config.adminKey).toBeNull();
    expect(config.createRatePerMinute).toBe(600);
    expect(config.clientFailuresMax).toBe(10);
    expect(config.clientFailuresWindowSeconds).toBe(900);
    expect(config.pageRatePerMinute).toBe(30);
    expect(config.trustedProxies).toEqual([]);
    expect(config.allowPrivateOutbound).toBe(false);
    expect(config.maxPendingPerClient).toBe(1);
  });

  test('reads every variable', () => {
    const config = load({
      ASKGATE_ADMIN_KEY: 'x'.repeat(32),
      ASKGATE_CREATE_RATE_PER_MINUTE: '50',
      ASKGATE_CLIENT_FAILURES_MAX: '5',
      ASKGATE_CLIENT_FAILURES_WINDOW: '300',
      ASKGATE_PAGE_RATE_PER_MINUTE: '12',
      ASKGATE_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7 ,fd00::/8',
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
    });
    expect(config.adminKey).toBe('x'.repeat(32));
    expect(config.createRatePerMinute).toBe(50);
    expect(config.clientFailuresMax).toBe(5);
    expect(config.clientFailuresWindowSeconds).toBe(300);
    expect(config.pageRatePerMinute).toBe(12);
    expect(config.trustedProxies.map((range) => range.prefixLength)).toEqual([8, 32, 8]);
    expect(config.allowPrivateOutbound).toBe(true);
  });

  test('flags win over variables', () => {
    const config = loadConfig({ ASKGATE_PAGE_RATE_PER_MINUTE: '12' }, { 'page-rate-per-minute': '40', 'allow-private-outbound': 'false' }, '/nonexistent-dir-without-pem-files', false);
    expect(config.pageRatePerMinute).toBe(40);
    expect(config.allowPrivateOutbound).toBe(false);
  });

  const invalid: [string, Record<string, string>, string][] = [
    ['short admin key', { ASKGATE_ADMIN_KEY: 'x'.repeat(31) }, 'ASKGATE_ADMIN_KEY'],
    ['admin key with space', { ASKGATE_ADMIN_KEY: 'x'.repeat(20) + ' ' + 'x'.repeat(20) }, 'ASKGATE_ADMIN_KEY'],
    ['admin key equal to API key', { ASKGATE_ADMIN_KEY: 'k'.repeat(40), ASKGATE_API_KEY: 'k'.repeat(40) }, 'ASKGATE_ADMIN_KEY'],
    ['zero creation rate', { ASKGATE_CREATE_RATE_PER_MINUTE: '0' }, 'ASKGATE_CREATE_RATE_PER_MINUTE'],
    ['failures over NIST bound', { ASKGATE_CLIENT_FAILURES_MAX: '101' }, 'ASKGATE_CLIENT_FAILURES_MAX'],
    ['window over 15 minutes', { ASKGATE_CLIENT_FAILURES_WINDOW: '901' }, 'ASKGATE_CLIENT_FAILURES_WINDOW'],
    ['page rate not a number', { ASKGATE_PAGE_RATE_PER_MINUTE: 'many' }, 'ASKGATE_PAGE_RATE_PER_MINUTE'],
    ['proxy host name', { ASKGATE_TRUSTED_PROXIES: 'proxy.internal' }, 'ASKGATE_TRUSTED_PROXIES'],
    ['proxy prefix too long', { ASKGATE_TRUSTED_PROXIES: '10.0.0.0/40' }, 'ASKGATE_TRUSTED_PROXIES'],
    ['outbound flag yes', { ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'yes' }, 'ASKGATE_ALLOW_PRIVATE_OUTBOUND'],
  ];
  for (const [name, env, variable] of invalid) {
    test(`rejects ${name}`, () => {
      const error = configErrorOf(env);
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(variable);
    });
  }

  test('admin key never in the message', () => {
    const error = configErrorOf({ ASKGATE_ADMIN_KEY: 'short-secret' });
    expect(error.message).not.toContain('short-secret');
  });
});

describe('secret with a durable store', () => {
  test('memory store needs no secret', () => {
    expect(load({ ASKGATE_STORE: 'memory' }).secret).toBeNull();
  });

  test('shared store needs a secret', () => {
    for (const store of ['sqlite:/nonexistent-dir/askgate.db', 'redis://127.0.0.1:6379/3']) {
      const error = configErrorOf({ ASKGATE_STORE: store });
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain('ASKGATE_SECRET is required');
      expect(load({ ASKGATE_STORE: store, ASKGATE_SECRET: 's'.repeat(32) }).store).toBe(store);
    }
  });
});

describe('placeholders from askgate.env.example', () => {
  const example = readFileSync(join(import.meta.dir, '../../askgate.env.example'), 'utf8');
  const settings = Object.fromEntries(
    example
      .split('\n')
      .filter((line) => /^ASKGATE_[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  test('example has secret placeholders', () => {
    expect(settings.ASKGATE_SECRET).toStartWith('replace-with');
    expect(settings.ASKGATE_API_KEY).toStartWith('replace-with');
  });

  test('copied example is rejected', () => {
    const error = configErrorOf(settings);
    expect(error.message).toStartWith('ASKGATE_API_KEY, ASKGATE_SECRET still have replace-with-… placeholders');
    expect(error.message).toContain('askgate.env.example');
    expect(error.message).not.toContain(settings.ASKGATE_SECRET);
  });

  test.each(['ASKGATE_SECRET', 'ASKGATE_API_KEY', 'ASKGATE_ADMIN_KEY', 'ASKGATE_METRICS_TOKEN'])('rejects placeholder in %s', (name) => {
    const error = configErrorOf({ [name]: 'replace-with-a-long-random-token-of-forty-characters' });
    expect(error.message).toStartWith(`${name} still has a replace-with-… placeholder`);
  });

  test('generated values still load', () => {
    const config = load({ ...settings, ASKGATE_SECRET: 'k'.repeat(48), ASKGATE_API_KEY: 'ak_' + 'x'.repeat(32) });
    expect(config.secret).toBe('k'.repeat(48));
    expect(config.publicUrl).toBe('https://verify.example.com');
  });
});
