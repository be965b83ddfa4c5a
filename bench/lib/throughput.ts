import { join } from 'node:path';
import type { FixedRateResult } from '../load/fixed-rate.ts';
import type { FlowResult } from '../load/flow.ts';
import type { PoolEntry } from '../load/requests.ts';
import type { BenchOptions, Scenario } from './options.ts';
import { createPool, writePool } from './pool.ts';
import { readCpuMicros, readLoadAverage, waitForIdle } from './proc.ts';
import { collectOutput, pinned, registerCleanup, spawnChild, type CpuPlan } from './processes.ts';
import { median } from './stats.ts';
import { maskStore, prepareStore, storeLabel } from './stores.ts';
import { startAskgate, type RunningAskgate, type RunningBaseline } from './targets.ts';
import { runWrk, type LoadRun } from './wrk.ts';

/** Latency at a fixed request rate of half the measured maximum. */
export interface HalfLoad {
  targetRate: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** How late the load script itself was, at the 99th percentile: a check on the generator. */
  generatorLagP99Ms: number;
}

export interface TargetFigures {
  runs: LoadRun[];
  medianRate: number;
  minRate: number;
  maxRate: number;
  /** Medians over the runs. */
  p50Ms: number;
  p99Ms: number;
  serverCpuMicros: number;
  errors: number;
  halfLoad: HalfLoad | null;
}

export interface ThroughputRow {
  scenario: Scenario;
  store: string;
  /** Unit of the rates: HTTP requests, or whole verifications in the flow scenario. */
  unit: 'requests' | 'flows';
  askgate: TargetFigures;
  baseline: TargetFigures;
  /** askgate's median rate divided by the baseline's. */
  ratio: number;
  notes: string[];
}

type Target = 'askgate' | 'baseline';

interface Context {
  options: BenchOptions;
  cpus: CpuPlan;
  workDir: string;
  baseline: RunningBaseline;
  log: (message: string) => void;
}

let runSerial = 0;
const nextRunTag = () => `b${Date.now().toString(36)}-${++runSerial}`;

/** Challenges in the page scenario's pool: enough that lookups are not all cache hits. */
const pagePoolSize = { full: 10_000, quick: 1_000 };
/** Wrong answers a pool challenge may take: one less than its 10 attempts, so none locks. */
const wrongAnswersPerChallenge = 9;

async function runBunScript(ctx: Context, script: string, args: string[], env: Record<string, string>, timeoutSeconds: number): Promise<string> {
  const child = spawnChild(pinned(ctx.cpus.loadCpu, [process.execPath, join(import.meta.dir, '..', 'load', script), ...args]), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  return collectOutput(child, timeoutSeconds * 1000, script);
}

/** Drives one scenario against askgate or the baseline. */
interface ScenarioDriver {
  unit: 'requests' | 'flows';
  /** Called before each askgate run with the expected request count; prepares what the run consumes. */
  prepare?: (askgate: RunningAskgate, expectedRequests: number) => Promise<void>;
  measure: (target: Target, durationSeconds: number) => Promise<LoadRun>;
  fixedRate: (target: Target, rate: number, durationSeconds: number) => Promise<HalfLoad>;
}

function urlOf(ctx: Context, askgate: RunningAskgate, target: Target, listener: 'api' | 'web'): string {
  if (target === 'baseline') return ctx.baseline.url;
  return listener === 'api' ? askgate.apiUrl : askgate.webUrl;
}

async function fixedRateRun(ctx: Context, askgate: RunningAskgate, scenario: 'create' | 'page' | 'answer-wrong', target: Target, rate: number, durationSeconds: number, poolFile: string | null): Promise<HalfLoad> {
  const url = urlOf(ctx, askgate, target, scenario === 'create' ? 'api' : 'web');
  const args = ['--url', url, '--scenario', scenario, '--rate', String(rate), '--duration', String(durationSeconds), '--run-tag', nextRunTag()];
  if (poolFile !== null) args.push('--pool', poolFile);
  const output = await runBunScript(ctx, 'fixed-rate.ts', args, { BENCH_API_KEY: askgate.apiKey }, durationSeconds + 40);
  const result = JSON.parse(output) as FixedRateResult;
  return { targetRate: result.targetRate, achievedRate: result.achievedRate, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors, generatorLagP99Ms: result.sendLagP99Ms };
}

function buildDriver(ctx: Context, scenario: Scenario, askgate: RunningAskgate): ScenarioDriver {
  const { connections } = ctx.options;
  const wrk = (target: Target, listener: 'api' | 'web', script: string, durationSeconds: number, env: Record<string, string>) =>
    runWrk({ url: urlOf(ctx, askgate, target, listener), script, durationSeconds, connections, cpu: ctx.cpus.loadCpu, env });

  switch (scenario) {
    case 'create':
      return {
        unit: 'requests',
        measure: (target, seconds) => wrk(target, 'api', 'create.lua', seconds, { BENCH_API_KEY: askgate.apiKey, BENCH_RUN_TAG: nextRunTag() }),
        fixedRate: (target, rate, seconds) => fixedRateRun(ctx, askgate, 'create', target, rate, seconds, null),
      };

    case 'page': {
      const poolFile = join(ctx.workDir, 'page-pool.txt');
      let prepared = false;
      return {
        unit: 'requests',
        prepare: async () => {
          if (prepared) return;
          writePool(await createPool(askgate, ctx.options.quick ? pagePoolSize.quick : pagePoolSize.full), poolFile);
          prepared = true;
        },
        measure: (target, seconds) => wrk(target, 'web', 'page.lua', seconds, { BENCH_POOL_FILE: poolFile }),
        fixedRate: (target, rate, seconds) => fixedRateRun(ctx, askgate, 'page', target, rate, seconds, poolFile),
      };
    }

    case 'answer-wrong': {
      // Every askgate run gets a fresh pool large enough that no challenge takes 10 wrong answers;
      // the baseline reads the latest pool file, it only needs the same requests.
      const poolFile = join(ctx.workDir, 'answer-pool.txt');
      let pool: PoolEntry[] = [];
      return {
        unit: 'requests',
        prepare: async (running, expectedRequests) => {
          pool = await createPool(running, Math.ceil(expectedRequests / wrongAnswersPerChallenge) + 100);
          writePool(pool, poolFile);
        },
        measure: (target, seconds) => wrk(target, 'web', 'answer-wrong.lua', seconds, { BENCH_POOL_FILE: poolFile }),
        fixedRate: (target, rate, seconds) => fixedRateRun(ctx, askgate, 'answer-wrong', target, rate, seconds, poolFile),
      };
    }

    case 'flow': {
      const flow = async (target: Target, extra: string[], seconds: number): Promise<FlowResult> => {
        const base = target === 'askgate' ? ['--api', askgate.apiUrl, '--web', askgate.webUrl] : ['--api', ctx.baseline.url, '--web', ctx.baseline.url, '--baseline'];
        const output = await runBunScript(ctx, 'flow.ts', [...base, '--duration', String(seconds), '--run-tag', nextRunTag(), ...extra], { BENCH_API_KEY: askgate.apiKey }, seconds + 40);
        return JSON.parse(output) as FlowResult;
      };
      return {
        unit: 'flows',
        measure: async (target, seconds) => {
          const result = await flow(target, ['--concurrency', String(connections)], seconds);
          if (result.firstError !== null) ctx.log(`  flow error (${target}): ${result.firstError}`);
          return { requestsPerSecond: result.flowsPerSecond, requests: result.flows, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors };
        },
        fixedRate: async (target, rate, seconds) => {
          const result = await flow(target, ['--rate', String(rate)], seconds);
          return { targetRate: rate, achievedRate: result.flowsPerSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors, generatorLagP99Ms: result.startLagP99Ms ?? 0 };
        },
      };
    }
  }
}

function summarise(runs: LoadRun[], halfLoad: HalfLoad | null): TargetFigures {
  const rates = runs.map((run) => run.requestsPerSecond);
  return {
    runs,
    medianRate: median(rates),
    minRate: Math.min(...rates),
    maxRate: Math.max(...rates),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    serverCpuMicros: median(runs.map((run) => run.serverCpuMicros ?? Number.NaN)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    halfLoad,
  };
}

const describeRun = (run: LoadRun) =>
  `${Math.round(run.requestsPerSecond)}/s p50 ${run.p50Ms.toFixed(2)} ms p99 ${run.p99Ms.toFixed(2)} ms, ${run.serverCpuMicros?.toFixed(1)} µs CPU each` +
  `${run.errors > 0 ? `, errors ${run.errors}` : ''} (load average ${run.loadAverage})`;

async function measureScenario(ctx: Context, store: string, scenario: Scenario): Promise<ThroughputRow> {
  const { options } = ctx;
  const askgate = await startAskgate({
    store,
    binary: options.binary,
    cpu: ctx.cpus.serverCpu,
    logFile: join(ctx.workDir, `askgate-${storeLabel(store)}-${scenario}.log`),
  });
  try {
    const driver = buildDriver(ctx, scenario, askgate);
    const notes: string[] = [];
    const runs: Record<Target, LoadRun[]> = { askgate: [], baseline: [] };
    const serverPids = [askgate.child.pid, ctx.baseline.child.pid];

    // The warm-up lets the JIT compile the hot paths and estimates the rate for pool sizes.
    ctx.log(`  warm-up ${options.warmUpSeconds} s`);
    await driver.prepare?.(askgate, 50_000 * options.warmUpSeconds);
    const warmUpRate = (await driver.measure('askgate', options.warmUpSeconds)).requestsPerSecond;
    await driver.measure('baseline', options.warmUpSeconds);
    // The margin of 1.5 covers a measured run that goes faster than the warm-up.
    const expectedRequests = (seconds: number) => Math.ceil(warmUpRate * 1.5 * seconds) + 1000;

    for (let repeat = 0; repeat < options.repeat; repeat++) {
      // Alternating the order spreads slow phases of a shared machine over both targets.
      const order: Target[] = repeat % 2 === 0 ? ['baseline', 'askgate'] : ['askgate', 'baseline'];
      for (const target of order) {
        if (target === 'askgate') await driver.prepare?.(askgate, expectedRequests(options.durationSeconds));
        await waitForIdle(serverPids);
        const loadAverage = readLoadAverage();
        const pid = target === 'askgate' ? askgate.child.pid : ctx.baseline.child.pid;
        const cpuBefore = readCpuMicros(pid);
        const measured = await driver.measure(target, options.durationSeconds);
        const serverCpuMicros = (readCpuMicros(pid) - cpuBefore) / Math.max(1, measured.requests);
        const run = { ...measured, loadAverage, serverCpuMicros };
        runs[target].push(run);
        ctx.log(`  run ${repeat + 1}/${options.repeat} ${target.padEnd(8)} ${describeRun(run)}`);
      }
    }

    // Half of askgate's measured maximum, offered at a fixed rate to both targets.
    const halfRate = Math.max(1, Math.round(median(runs.askgate.map((run) => run.requestsPerSecond)) / 2));
    await driver.prepare?.(askgate, Math.ceil(halfRate * options.durationSeconds * 1.2) + 1000);
    await waitForIdle(serverPids);
    const askgateHalfLoad = await driver.fixedRate('askgate', halfRate, options.durationSeconds);
    await waitForIdle(serverPids);
    const halfLoad: Record<Target, HalfLoad> = {
      askgate: askgateHalfLoad,
      baseline: await driver.fixedRate('baseline', halfRate, options.durationSeconds),
    };
    for (const target of ['askgate', 'baseline'] as const) {
      const half = halfLoad[target];
      ctx.log(`  half load ${target.padEnd(8)} ${half.achievedRate}/${half.targetRate} per s p50 ${half.p50Ms.toFixed(2)} ms p99 ${half.p99Ms.toFixed(2)} ms${half.errors > 0 ? ` errors ${half.errors}` : ''}`);
      if (half.achievedRate < half.targetRate * 0.9) notes.push(`${target} reached only ${half.achievedRate} of ${half.targetRate}/s at half load`);
      if (half.generatorLagP99Ms > 1) notes.push(`the fixed-rate generator ran up to ${half.generatorLagP99Ms.toFixed(1)} ms late (p99) against ${target}`);
    }

    const askgateFigures = summarise(runs.askgate, halfLoad.askgate);
    const baselineFigures = summarise(runs.baseline, halfLoad.baseline);
    if (askgateFigures.errors > 0) notes.push(`askgate: ${askgateFigures.errors} failed requests in the measured runs`);
    if (baselineFigures.errors > 0) notes.push(`baseline: ${baselineFigures.errors} failed requests in the measured runs`);
    return {
      scenario,
      store: storeLabel(store),
      unit: driver.unit,
      askgate: askgateFigures,
      baseline: baselineFigures,
      ratio: askgateFigures.medianRate / baselineFigures.medianRate,
      notes,
    };
  } finally {
    await askgate.stop();
  }
}

/** Runs every scenario against every store; askgate restarts for each scenario. */
export async function measureThroughput(ctx: Context): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const store of ctx.options.stores) {
    const { cleanup } = await prepareStore(store);
    const unregister = registerCleanup(cleanup);
    for (const scenario of ctx.options.scenarios) {
      ctx.log(`${scenario} on ${maskStore(store)}`);
      try {
        rows.push(await measureScenario(ctx, store, scenario));
      } finally {
        await cleanup();
      }
    }
    unregister();
  }
  return rows;
}

export type { Context as ThroughputContext };
