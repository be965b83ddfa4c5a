import { describe, expect, test } from 'bun:test';
import { maskUrlPasswords } from '../../src/config/mask.ts';

describe('maskUrlPasswords', () => {
  test.each([
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://:********@127.0.0.1:6379/0'],
    ['rediss://app:s3cret@cache.internal:6380/2', 'rediss://app:********@cache.internal:6380/2'],
    ['cannot use postgres://u:pw@x now', 'cannot use postgres://u:********@x now'],
    ['two: redis://:a@h1/0 and redis://b:c@h2/1', 'two: redis://:********@h1/0 and redis://b:********@h2/1'],
  ])('masks the password in %s', (input, expected) => {
    expect(maskUrlPasswords(input)).toBe(expected);
  });

  test.each([
    'Use memory, sqlite:<path>, redis://[:password@]host:port/db or rediss://…',
    'redis://127.0.0.1:6379/0',
    'sqlite:/var/lib/askgate/askgate.db',
  ])('leaves %s unchanged', (input) => {
    expect(maskUrlPasswords(input)).toBe(input);
  });
});
