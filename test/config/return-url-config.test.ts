import { describe, expect, test } from 'bun:test';
import { loadConfig, type FlagValues } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

function load(env: Record<string, string>, flags: FlagValues = {}) {
  return loadConfig(env, flags, '/nonexistent-dir-without-pem-files', false);
}

function errorOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP', () => {
  test('defaults to false', () => {
    expect(load({}).returnUrlAllowLoopbackHttp).toBe(false);
  });

  test('reads true', () => {
    expect(load({ ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP: 'true' }).returnUrlAllowLoopbackHttp).toBe(true);
  });

  test('ignores case', () => {
    expect(load({ ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP: 'TRUE' }).returnUrlAllowLoopbackHttp).toBe(true);
  });

  test('flag wins over variable', () => {
    const config = load({ ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP: 'true' }, { 'return-url-allow-loopback-http': 'false' });
    expect(config.returnUrlAllowLoopbackHttp).toBe(false);
  });

  test('rejects other words', () => {
    const message = errorOf({ ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP: 'yes' });
    expect(message).toContain('ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP');
    expect(message).toContain('true or false');
  });
});

describe('return URL host list', () => {
  test('accepts loopback hosts', () => {
    const config = load({ ASKGATE_RETURN_URL_HOSTS: '127.0.0.1,[::1],localhost' });
    expect(config.returnUrlHosts).toEqual(['127.0.0.1', '[::1]', 'localhost']);
  });

  test('brackets bare IPv6 address', () => {
    expect(load({ ASKGATE_RETURN_URL_HOSTS: '::1' }).returnUrlHosts).toEqual(['[::1]']);
  });

  test('shortens long IPv6 address', () => {
    expect(load({ ASKGATE_RETURN_URL_HOSTS: '[0:0:0:0:0:0:0:1]' }).returnUrlHosts).toEqual(['[::1]']);
  });

  const invalid = ['[::1]:8080', '[::g]', 'shop.example:443', '[::1'];
  for (const entry of invalid) {
    test(`rejects ${entry}`, () => {
      const message = errorOf({ ASKGATE_RETURN_URL_HOSTS: entry });
      expect(message).toContain('ASKGATE_RETURN_URL_HOSTS');
      expect(message).toContain(entry);
    });
  }
});
