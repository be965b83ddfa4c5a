import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { LinearHashMap } from '../../src/store/linear-hash-map.ts';

type Operation = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };

/** Keys from a small alphabet, so that sets and deletes often hit keys already present. */
const key = fc.stringMatching(/^[a-d]{0,4}$/);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key }),
);

describe('LinearHashMap', () => {
  test('behaves like Map under random operations', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
        const map = new LinearHashMap<number>();
        const model = new Map<string, number>();
        for (const step of operations) {
          if (step.kind === 'set') {
            map.set(step.key, step.value);
            model.set(step.key, step.value);
          } else {
            expect(map.delete(step.key)).toBe(model.delete(step.key));
          }
          expect(map.size).toBe(model.size);
        }
        for (const [name, value] of model) {
          expect(map.has(name)).toBe(true);
          expect(map.get(name)).toBe(value);
        }
        expect([...map.values()].sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  test('buckets grow and shrink with the size', () => {
    const map = new LinearHashMap<number>();
    const total = 50_000;
    for (let index = 0; index < total; index++) map.set(`chl_${index}`, index);
    expect(map.size).toBe(total);
    // At most 16 entries per bucket on average, and at least 4.
    expect(map.bucketCount).toBeGreaterThanOrEqual(total / 16);
    expect(map.bucketCount).toBeLessThanOrEqual(total / 4);
    for (let index = 0; index < total; index += 7) expect(map.get(`chl_${index}`)).toBe(index);

    for (let index = 0; index < total; index++) expect(map.delete(`chl_${index}`)).toBe(true);
    expect(map.size).toBe(0);
    expect(map.bucketCount).toBe(1);
    expect(map.get('chl_1')).toBeUndefined();
  });

  test('set on a present key replaces the value', () => {
    const map = new LinearHashMap<string>();
    map.set('client-1', 'chl_a');
    map.set('client-1', 'chl_b');
    expect(map.size).toBe(1);
    expect(map.get('client-1')).toBe('chl_b');
    expect(map.delete('client-2')).toBe(false);
    expect(map.size).toBe(1);
  });

  test('values visits each entry once', () => {
    const map = new LinearHashMap<number>();
    for (let index = 0; index < 1000; index++) map.set(`evt_${index}`, index);
    const seen = [...map.values()].sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, index) => index));
  });
});

/** Generates `count` keys whose FNV-1a hashes share their low 16 bits, so they fill one bucket. */
function collidingKeys(count: number): string[] {
  const fnv = (text: string) => {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    return hash >>> 0;
  };
  const target = fnv('client-0') & 0xffff;
  const keys: string[] = [];
  for (let index = 0; keys.length < count; index++) {
    const candidate = `client-${index}`;
    if ((fnv(candidate) & 0xffff) === target) keys.push(candidate);
  }
  return keys;
}

describe('LinearHashMap with colliding keys', () => {
  const keys = collidingKeys(150);

  test('stores and finds them all', () => {
    const map = new LinearHashMap<number>();
    keys.forEach((name, index) => map.set(name, index));
    map.set('other', -1);
    expect(map.size).toBe(keys.length + 1);
    keys.forEach((name, index) => expect(map.get(name)).toBe(index));
    expect(map.get('other')).toBe(-1);
    expect(map.has('client-missing')).toBe(false);
  });

  test('deletes them and shrinks back', () => {
    const map = new LinearHashMap<number>();
    keys.forEach((name, index) => map.set(name, index));
    for (const name of keys.slice(0, 100)) expect(map.delete(name)).toBe(true);
    expect(map.size).toBe(50);
    keys.slice(100).forEach((name, index) => expect(map.get(name)).toBe(index + 100));
    expect([...map.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index + 100));
    for (const name of keys.slice(100)) expect(map.delete(name)).toBe(true);
    expect(map.size).toBe(0);
    expect(map.bucketCount).toBe(1);
  });
});
