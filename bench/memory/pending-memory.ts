/**
 * Measures the resident memory of pending challenges in the memory store, in a process of its
 * own so that nothing else lives in the heap. bench/run.ts starts one process per count:
 *
 *   bun bench/memory/pending-memory.ts --count 100000 [--unique-questions]
 *
 * Challenges go through ChallengeService.create, as an API request would: each body is parsed
 * from JSON text, so that every string is a fresh copy just as in the server. All challenges ask
 * the same 40-character question, as a bot with a fixed question does; --unique-questions gives
 * each its own question text instead. Prints one JSON object (a MemoryResult) on standard output.
 */
import { heapStats } from 'bun:jsc';
import { parseArgs } from 'node:util';
import type { ChallengeService } from '../../src/challenge/challenge-service.ts';
import type { CreateChallengeInput } from '../../src/challenge/create-input.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { benchService } from '../lib/bench-service.ts';
import { readRssBytes } from '../lib/proc.ts';

export interface MemoryResult {
  count: number;
  uniqueQuestions: boolean;
  /** RSS with the store and service built but empty, after a warm-up run. */
  emptyRssBytes: number;
  pendingRssBytes: number;
  /** (pendingRssBytes - emptyRssBytes) / count. */
  bytesPerChallenge: number;
  /** JavaScript heap size from bun:jsc heapStats(), empty and with every challenge pending. */
  emptyHeapBytes: number;
  pendingHeapBytes: number;
  /** RSS once every challenge expired and the retention windows ended, so the store is empty again. */
  purgedRssBytes: number;
  purgedHeapBytes: number;
  createsPerSecond: number;
}

/** A question of exactly 40 characters. */
const question = 'What was the name of your first pet dog?';
/** Short windows, so that the drop back to the empty RSS is seen within seconds. */
const retentionSeconds = 5;
const eventRetentionSeconds = 10;
const warmUpCount = 5_000;

/**
 * Collects garbage, then waits a second so that the allocator returns freed pages to the system
 * (without the wait, RSS at 300,000 challenges read about 6% higher on the machine measured).
 */
async function settle(): Promise<{ rss: number; heap: number }> {
  for (let round = 0; round < 3; round++) Bun.gc(true);
  await Bun.sleep(1000);
  Bun.gc(true);
  return { rss: readRssBytes(process.pid), heap: heapStats().heapSize };
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(100);
  }
}

function bodyText(index: number, expiresInSeconds: number, uniqueQuestions: boolean): string {
  return JSON.stringify({
    client_id: `customer-${index}`,
    // The unique variant keeps the length at 40 characters.
    question: uniqueQuestions ? question.slice(0, 32) + String(index).padStart(8, '0') : question,
    answer: '1990-04-12',
    return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
    expires_in: expiresInSeconds,
  });
}

async function createMany(service: ChallengeService, count: number, expiresInSeconds: number, uniqueQuestions: boolean): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    await service.create('default', JSON.parse(bodyText(index, expiresInSeconds, uniqueQuestions)) as CreateChallengeInput);
  }
  return performance.now() - started;
}

async function measure(count: number, uniqueQuestions: boolean): Promise<MemoryResult> {
  // The warm-up compiles the hot code and estimates the creation rate, on a store thrown away.
  const warmUpStore = new MemoryStore({ retentionSeconds, eventRetentionSeconds });
  const warmUpMs = await createMany(benchService(warmUpStore), warmUpCount, 3600, uniqueQuestions);
  await warmUpStore.close();

  const store = new MemoryStore({ retentionSeconds, eventRetentionSeconds });
  const createdAt = Date.now();
  // `now` is fixed per batch, so that every challenge of a batch expires at the same moment.
  const service = benchService(store, { now: () => createdAt });
  const empty = await settle();

  // The lifetime must outlast creation and the measurement: twice the estimated creation time,
  // plus 10 seconds for garbage collection.
  const estimatedMs = (warmUpMs / warmUpCount) * count;
  const expiresInSeconds = Math.max(10, Math.ceil((estimatedMs * 2 + 10_000) / 1000));
  const createMs = await createMany(service, count, expiresInSeconds, uniqueQuestions);
  const pending = await settle();
  const pendingNow = await store.countPending();
  if (pendingNow !== count) {
    throw new Error(`${count - pendingNow} challenges ended before RSS was read; creation took ${Math.round(createMs)} ms`);
  }

  const expiresAt = createdAt + expiresInSeconds * 1000;
  await waitUntil(async () => (await store.countPending()) === 0, expiresAt - Date.now() + 30_000, 'the challenges to expire');

  // Records stay for retentionSeconds after expiry and events for eventRetentionSeconds.
  await waitUntil(async () => store.challengeCount === 0, 60_000, 'the expired records to be dropped');
  await Bun.sleep(eventRetentionSeconds * 1000 + 500);
  const purged = await settle();
  await store.close();

  return {
    count,
    uniqueQuestions,
    emptyRssBytes: empty.rss,
    pendingRssBytes: pending.rss,
    bytesPerChallenge: Math.round((pending.rss - empty.rss) / count),
    emptyHeapBytes: empty.heap,
    pendingHeapBytes: pending.heap,
    purgedRssBytes: purged.rss,
    purgedHeapBytes: purged.heap,
    createsPerSecond: Math.round(count / (createMs / 1000)),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { count: { type: 'string' }, 'unique-questions': { type: 'boolean' } },
    strict: true,
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) {
    console.error('--count must be a positive integer: the number of challenges to create.');
    process.exit(2);
  }
  console.log(JSON.stringify(await measure(count, values['unique-questions'] === true)));
}
