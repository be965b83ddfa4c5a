import { describe, expect, test } from 'bun:test';
import { InvalidRedisUrlError, maskRedisUrl, parseRedisUrl } from '../../src/store/redis/redis-url.ts';

describe('parseRedisUrl()', () => {
  test('reads host, port and database', () => {
    const settings = parseRedisUrl('redis://cache.internal:6380/4');
    expect(settings.host).toBe('cache.internal');
    expect(settings.port).toBe(6380);
    expect(settings.database).toBe(4);
    expect(settings.tls).toBe(false);
    expect(settings.username).toBeNull();
    expect(settings.hasPassword).toBe(false);
    expect(settings.clientUrl).toBe('redis://cache.internal:6380/4');
  });

  test('defaults port and database', () => {
    const settings = parseRedisUrl('redis://127.0.0.1');
    expect(settings.port).toBe(6379);
    expect(settings.database).toBe(0);
    expect(parseRedisUrl('redis://127.0.0.1/').database).toBe(0);
  });

  test('reads a password without user', () => {
    const settings = parseRedisUrl('redis://:s3cret@127.0.0.1:6379/2');
    expect(settings.hasPassword).toBe(true);
    expect(settings.username).toBeNull();
    expect(settings.clientUrl).toBe('redis://:s3cret@127.0.0.1:6379/2');
    expect(settings.maskedUrl).toBe('redis://:***@127.0.0.1:6379/2');
  });

  test('reads user and encoded password', () => {
    const settings = parseRedisUrl('redis://app%40prod:p%40ss%3Aw%2Frd@127.0.0.1:6379/1');
    expect(settings.username).toBe('app@prod');
    expect(settings.hasPassword).toBe(true);
    expect(settings.clientUrl).toBe('redis://app%40prod:p%40ss%3Aw%2Frd@127.0.0.1:6379/1');
    expect(settings.maskedUrl).toBe('redis://app%40prod:***@127.0.0.1:6379/1');
  });

  test('rediss turns TLS on', () => {
    const settings = parseRedisUrl('rediss://user:pw@redis.example.net:6380/0');
    expect(settings.tls).toBe(true);
    expect(settings.clientUrl.startsWith('rediss://')).toBe(true);
  });

  test('keeps IPv6 brackets', () => {
    expect(parseRedisUrl('redis://[::1]:6379/0').clientUrl).toBe('redis://[::1]:6379/0');
  });

  const invalid: [string, string, RegExp][] = [
    ['http scheme', 'http://:pw@127.0.0.1:6379', /scheme "http" is not supported/],
    ['not a URL', 'redis//127.0.0.1', /not a valid URL/],
    ['bad port', 'redis://:pw@127.0.0.1:99999/0', /not a valid URL/],
    ['port zero', 'redis://127.0.0.1:0/0', /port must be between 1 and 65535/],
    ['text database', 'redis://:pw@127.0.0.1:6379/cache', /database number/],
    ['nested path', 'redis://127.0.0.1:6379/1/2', /database number/],
    ['query string', 'redis://127.0.0.1:6379/0?db=2', /query strings/],
    ['bad encoding', 'redis://:%zz@127.0.0.1:6379/0', /invalid percent-encoding/],
  ];
  for (const [name, url, message] of invalid) {
    test(`rejects ${name}`, () => {
      expect(() => parseRedisUrl(url)).toThrow(InvalidRedisUrlError);
      expect(() => parseRedisUrl(url)).toThrow(message);
    });
  }

  test('error masks the password', () => {
    let message = '';
    try {
      parseRedisUrl('redis://admin:hunter2@127.0.0.1:6379/cache');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('redis://admin:***@127.0.0.1:6379/cache');
    expect(message).not.toContain('hunter2');
  });

  test('error hides password split by slash', () => {
    // An unencoded "/" ends the authority, so part of the password lands in the path.
    let message = '';
    try {
      parseRedisUrl('redis://admin:6379/hunter2@127.0.0.1:6379/0');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('database number');
    expect(message).not.toContain('hunter2');
  });
});

describe('maskRedisUrl()', () => {
  const cases: [string, string][] = [
    ['redis://127.0.0.1:6379/0', 'redis://127.0.0.1:6379/0'],
    ['redis://:pw@host:6379', 'redis://:***@host:6379'],
    ['redis://user:pw@host', 'redis://user:***@host'],
    ['redis://lonesecret@host', 'redis://***@host'],
    ['redis://:p@ss@host', 'redis://:***@host'],
    ['redis:pw@host', 'redis:***@host'],
  ];
  for (const [input, masked] of cases) {
    test(`masks ${input}`, () => {
      expect(maskRedisUrl(input)).toBe(masked);
    });
  }
});
