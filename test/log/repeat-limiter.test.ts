import { describe, expect, test } from 'bun:test';
import { RepeatLimiter } from '../../src/log/repeat-limiter.ts';

describe('RepeatLimiter', () => {
  test('admits one line per interval', () => {
    let now = 1_000;
    const limiter = new RepeatLimiter(10_000, () => now);
    expect(limiter.admit('store')).toBe(0);
    expect(limiter.admit('store')).toBeNull();
    expect(limiter.admit('store')).toBeNull();
    now += 10_000;
    expect(limiter.admit('store')).toBe(2);
    expect(limiter.admit('store')).toBeNull();
  });

  test('keeps keys apart', () => {
    const limiter = new RepeatLimiter(10_000, () => 5);
    expect(limiter.admit('api')).toBe(0);
    expect(limiter.admit('web')).toBe(0);
    expect(limiter.admit('api')).toBeNull();
  });
});
