/**
 * Measures createChallenge and recordAttempt throughput of one store kind, one call at a time,
 * and prints the median of three runs. Each phase runs for `phaseMs` (default 800 ms) or
 * 1,000,000 calls, whichever ends first, so a full run stays under 10 seconds.
 *
 * Usage: bun bench/store-throughput.ts <memory|sqlite|sqlite-normal> [phaseMs]
 *   sqlite         a temporary file with synchronous = FULL (the default)
 *   sqlite-normal  the same with synchronous = NORMAL
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Challenge } from '../src/challenge/challenge.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { ChallengeStore } from '../src/store/store.ts';
import { makeChallenge } from '../test/support/stored-challenge.ts';

const kinds = ['memory', 'sqlite', 'sqlite-normal'] as const;
type Kind = (typeof kinds)[number];

const retention = { retentionSeconds: 3600, eventRetentionSeconds: 3600 };
const limits = { maxPendingTotal: 10_000_000, maxPendingPerClient: 10 };
const maxCallsPerPhase = 1_000_000;
const runs = 3;

interface OpenedStore {
  store: ChallengeStore;
  cleanUp: () => void;
}

function openStore(kind: Kind): OpenedStore {
  if (kind === 'memory') return { store: new MemoryStore(retention), cleanUp: () => {} };

  const dir = mkdtempSync(join(tmpdir(), 'askgate-bench-'));
  const store = openSqliteStore(join(dir, 'store.db'), { ...retention, synchronous: kind === 'sqlite' ? 'full' : 'normal' });
  return { store, cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds a challenge whose high maxAttempts keeps it pending through the attempt phase. */
function makeBenchChallenge(now: number): Challenge {
  return makeChallenge({ tenantId: 'bench', maxAttempts: 1_000_000, createdAt: now, expiresAt: now + 3_600_000, webhookUrl: null });
}

/** Calls `operation` until `phaseMs` passed or the call cap is reached; returns calls per second. */
async function measure(phaseMs: number, operation: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let calls = 0;
  while (calls < maxCallsPerPhase && performance.now() - started < phaseMs) {
    await operation(calls);
    calls += 1;
  }
  return calls / ((performance.now() - started) / 1000);
}

async function runOnce(kind: Kind, phaseMs: number): Promise<{ create: number; attempt: number }> {
  const { store, cleanUp } = openStore(kind);
  try {
    const ids: string[] = [];
    const create = await measure(phaseMs, async () => {
      const challenge = makeBenchChallenge(Date.now());
      await store.createChallenge(challenge, limits, Date.now());
      ids.push(challenge.id);
    });
    const attempt = await measure(phaseMs, (index) => store.recordAttempt(ids[index % ids.length] as string, 'wrong', Date.now()));
    return { create, attempt };
  } finally {
    await store.close();
    cleanUp();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const kind = process.argv[2] as Kind | undefined;
const phaseMs = Number(process.argv[3] ?? 800);
if (!kind || !kinds.includes(kind)) {
  console.error(`usage: bun bench/store-throughput.ts <${kinds.join('|')}> [phaseMs]`);
  process.exit(2);
}
if (!Number.isFinite(phaseMs) || phaseMs <= 0 || phaseMs > 1500) {
  console.error(`phaseMs must be a number of milliseconds from 1 to 1500; got ${process.argv[3]}`);
  process.exit(2);
}

const results = [];
for (let run = 0; run < runs; run++) results.push(await runOnce(kind, phaseMs));
const format = (value: number) => Math.round(value).toLocaleString('en-US');
console.log(`store ${kind}, ${runs} runs of ${phaseMs} ms per phase, one call at a time (Bun ${Bun.version})`);
console.log(`  createChallenge: median ${format(median(results.map((r) => r.create)))}/s  (runs: ${results.map((r) => format(r.create)).join(', ')})`);
console.log(`  recordAttempt:   median ${format(median(results.map((r) => r.attempt)))}/s  (runs: ${results.map((r) => format(r.attempt)).join(', ')})`);
