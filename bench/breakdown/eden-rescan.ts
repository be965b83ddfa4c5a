/**
 * Measures how long an eden collection takes after K creates on a memory store that already
 * contains N pending challenges: the cost of the entries the collector must rescan because the
 * creates wrote into old collections. Prints the median of 15 rounds per K.
 *
 *   taskset -c 0 bun bench/breakdown/eden-rescan.ts --pending 600000
 */
import { edenGC, fullGC } from 'bun:jsc';
import { parseArgs } from 'node:util';
import type { CreateChallengeInput } from '../../src/challenge/create-input.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { benchService } from '../lib/bench-service.ts';
import { median } from '../lib/stats.ts';

const { values } = parseArgs({ args: Bun.argv.slice(2), strict: true, options: { pending: { type: 'string' } } });
const pending = Number(values.pending ?? '600000');
if (!Number.isInteger(pending) || pending < 0) throw new Error(`--pending must be a whole number of challenges, got "${values.pending}"`);

const store = new MemoryStore({ retentionSeconds: 86_400, eventRetentionSeconds: 604_800 });
const service = benchService(store);

let created = 0;
async function create(count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    created += 1;
    const body = JSON.stringify({
      client_id: `customer-${created}`,
      question: 'What is your date of birth?',
      answer: '1990-04-12',
      return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
    });
    await service.create('default', JSON.parse(body) as CreateChallengeInput);
  }
}

await create(pending);
fullGC();
fullGC();

const results: string[] = [];
for (const creates of [0, 1, 10, 100, 1000, 5000]) {
  const timesMs: number[] = [];
  for (let round = 0; round < 15; round++) {
    edenGC();
    await create(creates);
    const started = performance.now();
    edenGC();
    timesMs.push(performance.now() - started);
  }
  results.push(`${creates}: ${median(timesMs).toFixed(2)} ms`);
}
console.log(`eden collection after K creates, ${pending} pending (median of 15): ${results.join(', ')}`);
await store.close();
