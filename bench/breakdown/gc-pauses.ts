/**
 * Shows how garbage collection pauses shape the latency tail: starts askgate with JavaScriptCore's
 * GC log on (BUN_JSC_logGC=true), optionally loads it at full speed with wrk first, then offers a
 * fixed rate with bench/load/fixed-rate.ts and prints that run's latency next to the pauses the
 * GC log reported meanwhile (its `p=` field, in ms).
 *
 *   bun bench/breakdown/gc-pauses.ts --scenario create --rate 8500 --preload-seconds 30
 *
 * Pins askgate to CPU 0 and the load to CPU 1, as the harness does.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FixedRateResult } from '../load/fixed-rate.ts';
import { createPool, writePool } from '../lib/pool.ts';
import { collectOutput, pinned, planCpus, spawnChild, stopChildren } from '../lib/processes.ts';
import { quantile } from '../lib/stats.ts';
import { startAskgate } from '../lib/targets.ts';
import { runWrk } from '../lib/wrk.ts';

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  strict: true,
  options: {
    scenario: { type: 'string' },
    rate: { type: 'string' },
    'preload-seconds': { type: 'string' },
  },
});
const scenario = values.scenario ?? 'create';
if (!['create', 'page', 'answer-wrong'].includes(scenario)) throw new Error(`--scenario must be create, page or answer-wrong, got "${scenario}"`);
const rate = Number(values.rate ?? '5000');
const preloadSeconds = Number(values['preload-seconds'] ?? '0');

const cpus = planCpus();
const logFile = join(tmpdir(), `askgate-gc-${process.pid}.log`);
const poolFile = join(tmpdir(), `askgate-gc-pool-${process.pid}.txt`);

/** Pause times (ms) of the collections logged after `offset` characters of the log. */
function pausesAfter(offset: number): number[] {
  const log = readFileSync(logFile, 'utf8').slice(offset);
  return [...log.matchAll(/ p=([0-9.]+)ms/g)].map((match) => Number(match[1]));
}

const askgate = await startAskgate({ store: 'memory', binary: false, cpu: cpus.serverCpu, logFile, env: { BUN_JSC_logGC: 'true' } });
try {
  const url = scenario === 'create' ? askgate.apiUrl : askgate.webUrl;
  // The answer pool gets a ninth of all requests, so that no challenge reaches 10 wrong answers.
  const expectedRequests = rate * 10 + (preloadSeconds > 0 ? 40_000 * preloadSeconds : 0);
  if (scenario !== 'create') writePool(await createPool(askgate, scenario === 'page' ? 10_000 : Math.ceil(expectedRequests / 9)), poolFile);
  if (preloadSeconds > 0) {
    const env = { BENCH_API_KEY: askgate.apiKey, BENCH_RUN_TAG: `preload-${Date.now()}`, BENCH_POOL_FILE: poolFile };
    const preload = await runWrk({ url, script: `${scenario}.lua`, durationSeconds: preloadSeconds, connections: 64, cpu: cpus.loadCpu, env });
    console.log(`preload: ${Math.round(preload.requestsPerSecond)}/s for ${preloadSeconds} s`);
  }
  await Bun.sleep(2000);

  const logOffset = readFileSync(logFile, 'utf8').length;
  const script = join(import.meta.dir, '..', 'load', 'fixed-rate.ts');
  const args = ['--url', url, '--scenario', scenario, '--rate', String(rate), '--duration', '10'];
  if (scenario !== 'create') args.push('--pool', poolFile);
  const child = spawnChild(pinned(cpus.loadCpu, [process.execPath, script, ...args]), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BENCH_API_KEY: askgate.apiKey },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const result = JSON.parse(await collectOutput(child, 60_000, 'fixed-rate.ts')) as FixedRateResult;
  const pauses = pausesAfter(logOffset).sort((a, b) => a - b);

  console.log(`${scenario} at ${rate}/s for 10 s: reached ${result.achievedRate}/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(1)} ms`);
  console.log(`GC pauses meanwhile: ${pauses.length}, p99 ${quantile(pauses, 0.99).toFixed(1)} ms, max ${quantile(pauses, 1).toFixed(1)} ms, total ${pauses.reduce((sum, pause) => sum + pause, 0).toFixed(0)} ms`);
} finally {
  await askgate.stop();
  await stopChildren();
}
