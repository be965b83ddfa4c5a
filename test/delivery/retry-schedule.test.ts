import { describe, expect, test } from 'bun:test';
import { countTrailingFailures, nextAttemptAt } from '../../src/delivery/retry-schedule.ts';
import { activeSigningSecrets } from '../../src/delivery/signing-secrets.ts';

const schedule = [5, 300, 1800];
const now = 1_000_000;

describe('nextAttemptAt', () => {
  test('follows the schedule without jitter', () => {
    expect(nextAttemptAt(1, schedule, now, () => 0.5)).toBe(now + 5000);
    expect(nextAttemptAt(2, schedule, now, () => 0.5)).toBe(now + 300_000);
    expect(nextAttemptAt(3, schedule, now, () => 0.5)).toBe(now + 1_800_000);
  });

  test('returns null after the last delay', () => {
    expect(nextAttemptAt(4, schedule, now, () => 0.5)).toBeNull();
    expect(nextAttemptAt(1, [], now, () => 0.5)).toBeNull();
  });

  test('jitter stays within 20 percent', () => {
    expect(nextAttemptAt(2, schedule, now, () => 0)).toBe(now + 240_000);
    expect(nextAttemptAt(2, schedule, now, () => 0.999999)).toBeLessThanOrEqual(now + 360_000);
    expect(nextAttemptAt(2, schedule, now, () => 0.999999)).toBeGreaterThan(now + 359_000);
    for (let index = 0; index < 500; index += 1) {
      const at = nextAttemptAt(1, schedule, now) as number;
      expect(at).toBeGreaterThanOrEqual(now + 4000);
      expect(at).toBeLessThanOrEqual(now + 6000);
    }
  });
});

describe('countTrailingFailures', () => {
  const failed = { error: 'status 500' };
  const succeeded = { error: null };

  test('counts failures since the last success', () => {
    expect(countTrailingFailures([])).toBe(0);
    expect(countTrailingFailures([failed, failed])).toBe(2);
    expect(countTrailingFailures([failed, succeeded, failed])).toBe(1);
    expect(countTrailingFailures([failed, failed, succeeded])).toBe(0);
  });
});

describe('activeSigningSecrets', () => {
  const set = { current: 'whsec_new', previous: 'whsec_old', previousUntil: 2000 };

  test('signs with both during rotation', () => {
    expect(activeSigningSecrets(set, 1999)).toEqual(['whsec_new', 'whsec_old']);
  });

  test('signs with current only after rotation', () => {
    expect(activeSigningSecrets(set, 2000)).toEqual(['whsec_new']);
    expect(activeSigningSecrets({ current: 'whsec_new', previous: null, previousUntil: null }, 0)).toEqual(['whsec_new']);
  });
});
