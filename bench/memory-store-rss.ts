/**
 * Estimates the memory that one pending challenge costs in the memory store: starts askgate as a
 * child process, creates 1,000 challenges to warm it up, reads its resident set size (VmRSS in
 * /proc/<pid>/status, so Linux only), creates `count` more pending challenges through the API
 * with 8 clients, waits for the heap to settle and reads VmRSS again.
 *
 * Usage: bun bench/memory-store-rss.ts [count]   (default 100000, at most 500000)
 *
 * RSS counts garbage that the collector has not returned yet and heap slack, so the per-challenge
 * figure is an upper estimate of the live data. Challenges are the one-question form with a
 * WhatsApp return and small metadata, as in the README example.
 */
import { readFileSync } from 'node:fs';
import { spawnAskgate } from '../test/support/child-askgate.ts';

const clients = 8;
const warmUpCount = 1000;
const settleMs = 3000;

const count = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(count) || count < 1000 || count > 500_000) {
  console.error(`count must be a whole number from 1000 to 500000; got ${process.argv[2]}`);
  process.exit(2);
}

/** Reads the resident set size of `pid` in bytes. */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

// The default limit of 600 creates per minute and API key would make 100,000 creates take hours.
const askgate = await spawnAskgate({ ASKGATE_STORE: 'memory', ASKGATE_LOG_LEVEL: 'warn', ASKGATE_EXPIRATION: '3600', ASKGATE_CREATE_RATE_PER_MINUTE: '1000000' });
try {
  let serial = 0;
  /** Creates challenges with `clients` loops until `total` were created; throws on any status but 201. */
  const createMany = async (total: number) => {
    const target = serial + total;
    const loop = async () => {
      while (serial < target) {
        serial += 1;
        const response = await askgate.api('/v1/challenges', {
          body: {
            client_id: `rss-${serial}`,
            question: 'What is your date of birth?',
            answer: '1990-04-12',
            return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
            metadata: { conversation: `conv-${serial}` },
          },
        });
        await response.arrayBuffer();
        if (response.status !== 201) throw new Error(`create returned ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: clients }, loop));
  };

  await createMany(warmUpCount);
  await Bun.sleep(settleMs);
  const before = residentBytes(askgate.pid);

  const started = performance.now();
  await createMany(count);
  const seconds = (performance.now() - started) / 1000;
  await Bun.sleep(settleMs);
  const after = residentBytes(askgate.pid);

  // Creating a challenge for a new client_id replaces nothing, so nothing should have finished.
  const metrics = await (await askgate.api('/metrics')).text();
  const sumOf = (name: string) =>
    [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((sum, match) => sum + Number(match[1]), 0);
  const pending = sumOf('askgate_challenges_created_total') - sumOf('askgate_challenges_finished_total');
  if (pending !== warmUpCount + count) throw new Error(`expected ${warmUpCount + count} pending challenges, the metrics show ${pending}`);

  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`Bun ${Bun.version}, memory store, ${count} pending challenges created in ${seconds.toFixed(1)} s`);
  console.log(`  RSS after ${warmUpCount} warm-up challenges: ${mib(before)} MiB`);
  console.log(`  RSS with ${warmUpCount + count} pending challenges: ${mib(after)} MiB`);
  console.log(`  growth per pending challenge: ${Math.round((after - before) / count)} bytes`);
} finally {
  await askgate.kill('SIGKILL');
}
