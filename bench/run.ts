/**
 * The benchmark harness: `bun run bench --help` lists the options. Writes results.json,
 * report.md and throughput.svg to the output folder, and with --docs updates
 * docs/benchmarks.md and docs/benchmarks-throughput.svg.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeMachine, type MachineInfo } from './lib/machine.ts';
import { measureMemory, type MemoryRow } from './lib/memory.ts';
import { OptionError, parseBenchOptions, usage, type BenchOptions } from './lib/options.ts';
import { installSignalHandlers, planCpus, registerCleanup, stopChildren, waitForSignalShutdown, type CpuPlan } from './lib/processes.ts';
import { renderReport, updateDocs } from './lib/report.ts';
import { measureStartup, type StartupResult } from './lib/startup.ts';
import { renderThroughputChart } from './lib/svg-chart.ts';
import { startBaseline, repoRoot } from './lib/targets.ts';
import { measureThroughput, type ThroughputRow } from './lib/throughput.ts';

/** Everything one harness run measured; written to results.json. */
export interface BenchResults {
  machine: MachineInfo;
  cpus: CpuPlan;
  /** The command lines that produced these results: one, or several when runs were combined. */
  commands: string[];
  options: BenchOptions;
  throughput: ThroughputRow[];
  memory: MemoryRow[];
  startup: StartupResult | null;
}

const log = (message: string) => console.error(message);

/** Combines earlier runs: rows and memory figures in order, the last start-up section found. */
function combineResults(files: string[]): BenchResults {
  const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResults);
  const first = runs[0] as BenchResults;
  return {
    ...first,
    commands: runs.flatMap((run) => run.commands),
    throughput: runs.flatMap((run) => run.throughput),
    memory: runs.flatMap((run) => run.memory),
    startup: runs.map((run) => run.startup).filter((startup) => startup !== null).at(-1) ?? null,
  };
}

function writeOutputs(results: BenchResults, options: BenchOptions): void {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const report = renderReport(results);
  const chart = results.throughput.length > 0 ? renderThroughputChart(results.throughput) : null;
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, 'report.md'), report);
  if (chart !== null) writeFileSync(join(outDir, 'throughput.svg'), chart);
  if (options.writeDocs) updateDocs(join(repoRoot, 'docs'), report, chart);

  console.log(report);
  log(`Results written to ${outDir}${options.writeDocs ? ' and docs/' : ''}.`);
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    console.error(`${error.message}. Run "bun run bench --help" for the options.`);
    return 2;
  }
  if (options === null) {
    console.log(usage);
    return 0;
  }
  if (options.fromFiles.length > 0) {
    writeOutputs(combineResults(options.fromFiles), options);
    return 0;
  }
  if (options.sections.includes('throughput') && Bun.which('wrk') === null) {
    console.error('wrk is not installed; the throughput section needs it (Debian: apt-get install wrk).');
    return 2;
  }

  installSignalHandlers();
  const cpus = planCpus();
  if (cpus.note !== null) log(cpus.note);
  const machine = describeMachine();
  // The work folder contains pool files, server logs and the start-up section's executables.
  const workDir = mkdtempSync(join(tmpdir(), 'askgate-bench-'));
  const removeWorkDir = async () => rmSync(workDir, { recursive: true, force: true });
  const unregisterWorkDir = registerCleanup(removeWorkDir);
  const results: BenchResults = {
    machine,
    cpus,
    commands: [['bun', 'run', 'bench', ...argv].join(' ')],
    options,
    throughput: [],
    memory: [],
    startup: null,
  };

  try {
    if (options.sections.includes('throughput')) {
      const baseline = await startBaseline(cpus.serverCpu);
      try {
        results.throughput = await measureThroughput({ options, cpus, workDir, baseline, log });
      } finally {
        await baseline.stop();
      }
    }
    if (options.sections.includes('memory')) {
      results.memory = await measureMemory(options.memoryCounts, cpus, log);
    }
    if (options.sections.includes('startup')) {
      results.startup = await measureStartup(options.startupRuns, cpus, workDir, log);
    }
  } finally {
    await stopChildren();
    unregisterWorkDir();
    await removeWorkDir();
    // After Ctrl-C or SIGTERM, the stopped children make the running section fail or end early.
    // The signal handler then exits with 130 or 143, so no partial results are written.
    await waitForSignalShutdown();
  }

  writeOutputs(results, options);
  return 0;
}

process.exit(await main(Bun.argv.slice(2)));
