import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

const newSecret = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
const oldSecret = 'whsec_' + Buffer.alloc(32, 2).toString('base64');

function load(env: Record<string, string>) {
  return loadConfig(env, {}, '/nonexistent-dir-without-pem-files', false);
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

describe('delivery settings', () => {
  test('defaults', () => {
    const config = load({});

    expect(config.webhookTimeoutMs).toBe(10000);
    expect(config.webhookRetryScheduleSeconds).toEqual([5, 300, 1800, 7200, 18000, 36000]);
    expect(config.webhookUrlHosts).toEqual([]);
    expect(config.shutdownGraceMs).toBe(10000);
    expect(config.confirmWindowSeconds).toBe(900);
    expect(config.webhookSecretPrevious).toBeNull();
    expect(config.webhookSecretPreviousUntil).toBeNull();
  });

  test('variables are parsed', () => {
    const config = load({
      ASKGATE_WEBHOOK_TIMEOUT_MS: '300',
      ASKGATE_WEBHOOK_RETRY_SCHEDULE: '1, 2,3',
      ASKGATE_WEBHOOK_URL_HOSTS: 'Bot.Example.com,127.0.0.1',
      ASKGATE_SHUTDOWN_GRACE_MS: '0',
      ASKGATE_CONFIRM_WINDOW: '60',
      ASKGATE_WEBHOOK_SECRET: newSecret,
      ASKGATE_WEBHOOK_SECRET_PREVIOUS: oldSecret,
      ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00+02:00',
    });

    expect(config.webhookTimeoutMs).toBe(300);
    expect(config.webhookRetryScheduleSeconds).toEqual([1, 2, 3]);
    expect(config.webhookUrlHosts).toEqual(['bot.example.com', '127.0.0.1']);
    expect(config.shutdownGraceMs).toBe(0);
    expect(config.confirmWindowSeconds).toBe(60);
    expect(config.webhookSecretPrevious).toBe(oldSecret);
    expect(config.webhookSecretPreviousUntil).toBe(Date.parse('2026-05-01T10:00:00Z'));
  });

  const invalid: { name: string; env: Record<string, string>; names: string }[] = [
    { name: 'schedule with zero', env: { ASKGATE_WEBHOOK_RETRY_SCHEDULE: '5,0' }, names: 'ASKGATE_WEBHOOK_RETRY_SCHEDULE' },
    { name: 'schedule with words', env: { ASKGATE_WEBHOOK_RETRY_SCHEDULE: '5,soon' }, names: 'ASKGATE_WEBHOOK_RETRY_SCHEDULE' },
    { name: 'timeout too small', env: { ASKGATE_WEBHOOK_TIMEOUT_MS: '10' }, names: 'ASKGATE_WEBHOOK_TIMEOUT_MS' },
    { name: 'confirm window zero', env: { ASKGATE_CONFIRM_WINDOW: '0' }, names: 'ASKGATE_CONFIRM_WINDOW' },
    { name: 'host list with URL', env: { ASKGATE_WEBHOOK_URL_HOSTS: 'https://bot.example.com' }, names: 'ASKGATE_WEBHOOK_URL_HOSTS' },
    { name: 'time without zone', env: { ASKGATE_WEBHOOK_SECRET: newSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS: oldSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00' }, names: 'ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL' },
    { name: 'previous without until', env: { ASKGATE_WEBHOOK_SECRET: newSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS: oldSecret }, names: 'ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL' },
    { name: 'until without previous', env: { ASKGATE_WEBHOOK_SECRET: newSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00Z' }, names: 'ASKGATE_WEBHOOK_SECRET_PREVIOUS' },
    { name: 'previous without current', env: { ASKGATE_WEBHOOK_SECRET_PREVIOUS: oldSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00Z' }, names: 'ASKGATE_WEBHOOK_SECRET' },
    { name: 'previous not whsec', env: { ASKGATE_WEBHOOK_SECRET: newSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS: 'plain-old-secret-value-123456', ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00Z' }, names: 'ASKGATE_WEBHOOK_SECRET_PREVIOUS' },
  ];

  for (const { name, env, names } of invalid) {
    test(`rejects ${name}`, () => {
      expect(errorOf(env)).toContain(names);
    });
  }

  test('rejection does not echo the old secret', () => {
    const leaked = 'plain-old-secret-value-123456';
    const message = errorOf({ ASKGATE_WEBHOOK_SECRET: newSecret, ASKGATE_WEBHOOK_SECRET_PREVIOUS: leaked, ASKGATE_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-05-01T12:00:00Z' });

    expect(message).not.toContain(leaked);
  });
});
