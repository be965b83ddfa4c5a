/**
 * Measures createChallenge and recordAttempt throughput of the Redis store against the local
 * Redis (127.0.0.1:6379): three timed runs of each operation with a fixed number of calls in
 * flight, then the median. Everything runs under a fresh key prefix that is deleted at the end.
 *
 *   bun bench/redis-store-throughput.ts
 *
 * The whole run takes about 7 s: six timed runs of 1 s plus set-up and clean-up.
 */
import { openRedisStore } from '../src/store/redis/open-redis-store.ts';
import type { RedisStore } from '../src/store/redis/redis-store.ts';
import type { Challenge } from '../src/challenge/challenge.ts';
import type { CreateLimits } from '../src/store/store.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../test/support/redis.ts';
import { makeChallenge } from '../test/support/stored-challenge.ts';

const runs = 3;
const runMs = 1000;
const inFlight = 32;
const limits: CreateLimits = { maxPendingTotal: 10_000_000, maxPendingPerClient: 5 };

function newChallenge(maxAttempts: number): Challenge {
  return makeChallenge({ tenantId: 'bench', maxAttempts, expiresAt: Date.now() + 600_000 });
}

/** Keeps `inFlight` calls running for `runMs` and returns completed calls per second. */
async function measure(call: (worker: number) => Promise<unknown>): Promise<number> {
  const stopAt = performance.now() + runMs;
  const started = performance.now();
  let completed = 0;
  const worker = async (index: number) => {
    while (performance.now() < stopAt) {
      await call(index);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, index) => worker(index)));
  return completed / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const admin = await connectLocalRedis();
  const prefix = uniquePrefix();
  let store: RedisStore | null = null;
  try {
    store = await openRedisStore(localRedisUrl, { retentionSeconds: 60, eventRetentionSeconds: 60, prefix, expiryIntervalMs: 0 });
    const opened = store;

    const createRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      createRates.push(await measure(() => opened.createChallenge(newChallenge(3), limits, Date.now())));
    }

    // Wrong attempts on one challenge per worker; maxAttempts is high so that every attempt counts.
    const targets = Array.from({ length: inFlight }, () => newChallenge(1_000_000_000));
    for (const target of targets) await opened.createChallenge(target, limits, Date.now());
    const attemptRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      attemptRates.push(await measure((worker) => opened.recordAttempt(targets[worker]!.id, 'wrong', Date.now())));
    }

    const format = (rates: number[]) => `median ${Math.round(median(rates))}/s (runs: ${rates.map(Math.round).join(', ')})`;
    console.log(`Bun ${Bun.version}, Redis ${localRedisUrl}, ${inFlight} calls in flight, ${runMs} ms per run`);
    console.log(`createChallenge: ${format(createRates)}`);
    console.log(`recordAttempt (wrong): ${format(attemptRates)}`);
  } finally {
    await store?.close();
    await deleteKeys(admin, prefix);
    admin.close();
  }
}

await main();
