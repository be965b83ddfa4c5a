import { describe, expect, test } from 'bun:test';
import { DeadlineQueue } from '../../src/store/deadline-queue.ts';

/** Polls `condition` every 10 ms until it is true or `timeoutMs` passes. */
async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await Bun.sleep(10);
}

describe('DeadlineQueue', () => {
  test('fires in deadline order with tags', async () => {
    const fired: { item: number; tag: number; at: number }[] = [];
    const queue = new DeadlineQueue<number>((item, tag) => fired.push({ item, tag, at: Date.now() }));
    const start = Date.now();
    // More entries than the initial capacity of 1,024, pushed out of order.
    const total = 3000;
    const deadlineOf = (item: number) => start + 50 + ((item * 7919) % 200);
    for (let item = 0; item < total; item++) queue.push(deadlineOf(item), item, item % 4);
    expect(queue.size).toBe(total);

    await waitFor(() => fired.length === total, 3000);
    expect(fired.length).toBe(total);
    expect(queue.size).toBe(0);
    const deadlines = fired.map((entry) => deadlineOf(entry.item));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    expect(fired.every((entry) => entry.tag === entry.item % 4)).toBe(true);
    expect(fired.every((entry) => entry.at >= deadlineOf(entry.item))).toBe(true);
    queue.close();
  });

  test('refills after draining', async () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<string>((item) => fired.push(item));
    for (let index = 0; index < 5000; index++) queue.push(Date.now() + 20, `first-${index}`);
    await waitFor(() => fired.length === 5000, 3000);
    queue.push(Date.now() + 20, 'second', 3);
    await waitFor(() => fired.length === 5001, 3000);
    expect(fired.at(-1)).toBe('second');
    queue.close();
  });

  test('close stops firing', async () => {
    const fired: string[] = [];
    const queue = new DeadlineQueue<string>((item) => fired.push(item));
    queue.push(Date.now() + 30, 'late');
    queue.close();
    queue.push(Date.now() + 10, 'after close');
    await Bun.sleep(80);
    expect(fired).toEqual([]);
    expect(queue.size).toBe(0);
  });
});
