import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

const secret = 'store-config-secret-'.padEnd(48, 's');
const redisStore = 'redis://127.0.0.1:6379/3';

function load(env: Record<string, string>) {
  return loadConfig(env, {}, '/nonexistent-dir-without-pem-files', false);
}

/** Runs loadConfig and returns the message of the ConfigError it throws; fails the test when it returns. */
function configErrorOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig ASKGATE_STORE', () => {
  test('sqlite path is kept', () => {
    expect(load({ ASKGATE_STORE: 'sqlite:/var/lib/askgate/askgate.db', ASKGATE_SECRET: secret }).store).toBe('sqlite:/var/lib/askgate/askgate.db');
  });

  test('redis url is kept', () => {
    expect(load({ ASKGATE_STORE: redisStore, ASKGATE_SECRET: secret }).store).toBe(redisStore);
  });

  test('durable store needs secret', () => {
    const message = configErrorOf({ ASKGATE_STORE: 'sqlite:/tmp/askgate.db' });
    expect(message).toContain('ASKGATE_SECRET is required');
  });

  test('unknown store is rejected', () => {
    const message = configErrorOf({ ASKGATE_STORE: 'postgres://db/askgate', ASKGATE_SECRET: secret });
    expect(message).toContain('ASKGATE_STORE');
    expect(message).toContain('is not a store');
  });
});

describe('loadConfig ASKGATE_REDIS_PREFIX', () => {
  test('defaults to askgate:', () => {
    expect(load({ ASKGATE_STORE: redisStore, ASKGATE_SECRET: secret }).redisPrefix).toBe('askgate:');
  });

  test('given prefix is kept', () => {
    expect(load({ ASKGATE_STORE: redisStore, ASKGATE_SECRET: secret, ASKGATE_REDIS_PREFIX: 'askgate-eu:' }).redisPrefix).toBe('askgate-eu:');
  });

  test('flag overrides variable', () => {
    const config = loadConfig(
      { ASKGATE_STORE: redisStore, ASKGATE_SECRET: secret, ASKGATE_REDIS_PREFIX: 'from-env:' },
      { 'redis-prefix': 'from-flag:' },
      '/nonexistent-dir-without-pem-files',
      false,
    );
    expect(config.redisPrefix).toBe('from-flag:');
  });

  test('prefix with space is rejected', () => {
    const message = configErrorOf({ ASKGATE_STORE: redisStore, ASKGATE_SECRET: secret, ASKGATE_REDIS_PREFIX: 'ask gate:' });
    expect(message).toContain('ASKGATE_REDIS_PREFIX');
    expect(message).toContain('visible ASCII');
  });

  test('overlong prefix is rejected', () => {
    const message = configErrorOf({ ASKGATE_STORE: redisStore, ASKGATE_SECRET: secret, ASKGATE_REDIS_PREFIX: 'p'.repeat(101) });
    expect(message).toContain('ASKGATE_REDIS_PREFIX');
  });

  test('prefix without redis is rejected', () => {
    const message = configErrorOf({ ASKGATE_STORE: 'sqlite:/tmp/askgate.db', ASKGATE_SECRET: secret, ASKGATE_REDIS_PREFIX: 'askgate-eu:' });
    expect(message).toContain('ASKGATE_REDIS_PREFIX is set but ASKGATE_STORE is not a Redis URL');
  });
});
