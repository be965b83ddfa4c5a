import { join } from 'node:path';
import type { MemoryResult } from '../memory/pending-memory.ts';
import { collectOutput, pinned, spawnChild, type CpuPlan } from './processes.ts';

export type MemoryRow = MemoryResult;

/**
 * Measures the memory store at each count, one fresh process per count, then once more at the
 * largest count with a different question per challenge (no string shared between challenges).
 */
export async function measureMemory(counts: number[], cpus: CpuPlan, log: (message: string) => void): Promise<MemoryRow[]> {
  const script = join(import.meta.dir, '..', 'memory', 'pending-memory.ts');
  const largest = Math.max(...counts);
  const runs = [...counts.map((count) => ({ count, unique: false })), { count: largest, unique: true }];
  const rows: MemoryRow[] = [];
  for (const run of runs) {
    log(`memory: ${run.count.toLocaleString('en')} pending challenges${run.unique ? ', each with its own question' : ''}`);
    const args = ['--count', String(run.count), ...(run.unique ? ['--unique-questions'] : [])];
    const child = spawnChild(pinned(cpus.serverCpu, [process.execPath, script, ...args]), { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
    // A million creations take about a minute on a slow machine, and the expiry waits as long again.
    const row = JSON.parse(await collectOutput(child, 15 * 60_000, 'the memory measurement')) as MemoryRow;
    log(`  ${row.bytesPerChallenge} bytes per pending challenge (RSS ${Math.round(row.pendingRssBytes / 2 ** 20)} MiB), back to ${Math.round(row.purgedRssBytes / 2 ** 20)} MiB after expiry`);
    rows.push(row);
  }
  return rows;
}
