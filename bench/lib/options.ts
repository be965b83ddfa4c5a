import { parseArgs } from 'node:util';

export const allScenarios = ['create', 'page', 'answer-wrong', 'flow'] as const;
export type Scenario = (typeof allScenarios)[number];

export const allSections = ['throughput', 'memory', 'startup'] as const;
export type Section = (typeof allSections)[number];

export interface BenchOptions {
  /** ASKGATE_STORE values, e.g. `memory`, `sqlite:/tmp/askgate-bench.db`, `redis://127.0.0.1:6379/15`. */
  stores: string[];
  durationSeconds: number;
  repeat: number;
  scenarios: Scenario[];
  sections: Section[];
  /** Run the compiled executable (dist/askgate) instead of `bun src/main.ts`. */
  binary: boolean;
  /** Open connections of each wrk run and workers of each flow run. */
  connections: number;
  warmUpSeconds: number;
  memoryCounts: number[];
  startupRuns: number;
  /** Output folder for results.json, report.md and throughput.svg. */
  outDir: string;
  /** Also write the report into docs/benchmarks.md and the chart to docs/benchmarks-throughput.svg. */
  writeDocs: boolean;
  /** results.json files of earlier runs to combine into one report, measuring nothing. */
  fromFiles: string[];
  quick: boolean;
}

export const usage = `Usage: bun run bench [options]

Starts askgate and a bare Bun.serve baseline on loopback, drives the same wrk load against both,
and measures memory and start-up. Every run is bounded in time; children are stopped at the end
and on Ctrl-C.

Options:
  --store <spec>          ASKGATE_STORE to test; repeat or separate by commas (default memory).
                          sqlite:<path> needs a path that does not exist yet (it is deleted after
                          each scenario); redis://127.0.0.1:6379/15 uses database 15.
  --duration <seconds>    Length of each measured run (default 10).
  --repeat <n>            Measured runs per scenario and target; the median is reported (default 3).
  --scenarios <list>      Any of ${allScenarios.join(',')} (default all).
  --sections <list>       Any of ${allSections.join(',')} (default all; only throughput with --quick).
  --quick                 1-second runs, 1 repeat, smaller pools: a smoke test of the harness.
  --binary                Run dist/askgate instead of src/main.ts; build it first with "bun run build".
  --connections <n>       Connections per wrk run and workers per flow run (default 64).
  --memory-counts <list>  Pending challenges for the memory section (default 10000,100000,1000000).
  --startup-runs <n>      Starts per executable for the start-up section (default 20).
  --out <dir>             Output folder for results.json, report.md, throughput.svg (default bench/results).
  --docs                  Also update docs/benchmarks.md and docs/benchmarks-throughput.svg.
  --from <results.json>   Measure nothing; combine the results of earlier runs (repeatable, in
                          order) into one report, e.g. one run per store on a busy machine.
  --help                  Show this text.`;

/** Thrown for invalid command-line options; the message names the option. */
export class OptionError extends Error {}

function parseList<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new OptionError(`--${option}: unknown value "${item}"; expected any of ${allowed.join(', ')}`);
    }
  }
  if (items.length === 0) throw new OptionError(`--${option} needs at least one value`);
  return items as T[];
}

function parsePositiveInteger(value: string, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new OptionError(`--${option} must be a positive integer, got "${value}"`);
  return number;
}

function checkStore(spec: string): string {
  if (spec === 'memory' || spec.startsWith('redis://') || spec.startsWith('rediss://')) return spec;
  if (spec.startsWith('sqlite:') && spec.length > 'sqlite:'.length) return spec;
  throw new OptionError(`--store: "${spec}" is not memory, sqlite:<path> or redis://host:port/db`);
}

/** Parses the command line; returns null when --help was given. */
export function parseBenchOptions(argv: string[]): BenchOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        store: { type: 'string', multiple: true },
        duration: { type: 'string' },
        repeat: { type: 'string' },
        scenarios: { type: 'string' },
        sections: { type: 'string' },
        quick: { type: 'boolean' },
        binary: { type: 'boolean' },
        connections: { type: 'string' },
        'memory-counts': { type: 'string' },
        'startup-runs': { type: 'string' },
        out: { type: 'string' },
        docs: { type: 'boolean' },
        from: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new OptionError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return null;

  const quick = values.quick === true;
  const stores = (values.store ?? ['memory']).flatMap((value) => value.split(',')).map((value) => checkStore(value.trim()));
  const durationSeconds = values.duration !== undefined ? parsePositiveInteger(values.duration, 'duration') : quick ? 1 : 10;
  return {
    stores: [...new Set(stores)],
    durationSeconds,
    repeat: values.repeat !== undefined ? parsePositiveInteger(values.repeat, 'repeat') : quick ? 1 : 3,
    scenarios: values.scenarios !== undefined ? parseList(values.scenarios, allScenarios, 'scenarios') : [...allScenarios],
    sections: values.sections !== undefined ? parseList(values.sections, allSections, 'sections') : quick ? ['throughput'] : [...allSections],
    binary: values.binary === true,
    connections: values.connections !== undefined ? parsePositiveInteger(values.connections, 'connections') : 64,
    warmUpSeconds: Math.min(2, durationSeconds),
    memoryCounts: values['memory-counts'] !== undefined
      ? values['memory-counts'].split(',').map((item) => parsePositiveInteger(item.trim(), 'memory-counts'))
      : [10_000, 100_000, 1_000_000],
    startupRuns: values['startup-runs'] !== undefined ? parsePositiveInteger(values['startup-runs'], 'startup-runs') : 20,
    outDir: values.out ?? 'bench/results',
    writeDocs: values.docs === true,
    fromFiles: values.from ?? [],
    quick,
  };
}
