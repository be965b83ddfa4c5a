import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from '../run.ts';
import type { HalfLoad, TargetFigures } from './throughput.ts';

export const resultsStartMarker = '<!-- bench:results:start -->';
export const resultsEndMarker = '<!-- bench:results:end -->';

const integer = (value: number) => Math.round(value).toLocaleString('en');
const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function milliseconds(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function rateCell(figures: TargetFigures): string {
  return `${integer(figures.medianRate)} [${integer(figures.minRate)}–${integer(figures.maxRate)}]`;
}

function halfLoadCell(half: HalfLoad | null): string {
  if (half === null) return 'n/a';
  return `${milliseconds(half.p50Ms)} / ${milliseconds(half.p99Ms)}`;
}

const microseconds = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');

function throughputSection(results: BenchResults): string[] {
  const lines = [
    '### Throughput',
    '',
    'Rates per second: the median of the measured runs with [min–max]. p50 and p99 are wrk\'s latency',
    'percentiles in ms, median over the runs. "CPU µs" is the CPU time the server process used per',
    'request (per flow in the flow scenario); the CPU ratio, baseline ÷ askgate, estimates the',
    'throughput ratio on an otherwise idle machine.',
    '',
    '| scenario | store | askgate /s | p50 | p99 | baseline /s | p50 / p99 | ratio | CPU µs askgate / baseline | CPU ratio |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of results.throughput) {
    const unit = row.unit === 'flows' ? ' (flows)' : '';
    const cpuRatio = row.baseline.serverCpuMicros / row.askgate.serverCpuMicros;
    lines.push(
      `| ${row.scenario}${unit} | ${row.store} | ${rateCell(row.askgate)} | ${milliseconds(row.askgate.p50Ms)} | ${milliseconds(row.askgate.p99Ms)} | ` +
        `${rateCell(row.baseline)} | ${milliseconds(row.baseline.p50Ms)} / ${milliseconds(row.baseline.p99Ms)} | ${row.ratio.toFixed(2)} | ` +
        `${microseconds(row.askgate.serverCpuMicros)} / ${microseconds(row.baseline.serverCpuMicros)} | ${Number.isFinite(cpuRatio) ? cpuRatio.toFixed(2) : 'n/a'} |`,
    );
  }
  lines.push(
    '',
    '#### Latency at half load',
    '',
    'A fixed rate of half askgate\'s median, offered to both servers in open loop by',
    'bench/load/fixed-rate.ts (flow: bench/load/flow.ts --rate); latency counts from each request\'s',
    'due time. p50 / p99 in ms.',
    '',
    '| scenario | store | rate /s | askgate p50 / p99 | baseline p50 / p99 | reached askgate / baseline |',
    '|---|---|---:|---:|---:|---:|',
  );
  for (const row of results.throughput) {
    const unit = row.unit === 'flows' ? ' (flows)' : '';
    const reached = `${integer(row.askgate.halfLoad?.achievedRate ?? 0)} / ${integer(row.baseline.halfLoad?.achievedRate ?? 0)}`;
    lines.push(
      `| ${row.scenario}${unit} | ${row.store} | ${integer(row.askgate.halfLoad?.targetRate ?? 0)} | ${halfLoadCell(row.askgate.halfLoad)} | ${halfLoadCell(row.baseline.halfLoad)} | ${reached} |`,
    );
  }
  const loads = results.throughput.flatMap((row) => [...row.askgate.runs, ...row.baseline.runs]).map((run) => run.loadAverage ?? 0);
  lines.push('', `1-minute load average of the machine before the measured runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (${results.machine.cpus} CPUs).`);
  const notes = results.throughput.flatMap((row) => row.notes.map((note) => `- ${row.scenario} (${row.store}): ${note}`));
  if (notes.length > 0) lines.push('', 'Notes from the run:', '', ...notes);
  return lines;
}

function memorySection(results: BenchResults): string[] {
  const lines = [
    '### Memory',
    '',
    'Resident memory (VmRSS) of a process holding only a memory store, read after three',
    '`Bun.gc(true)` calls and a one-second pause;',
    'bytes per challenge = (RSS with N pending − RSS empty) / N. "After expiry" is read once every',
    'challenge expired and the retention windows (5 s for records, 10 s for events) ended. "Shared":',
    'every challenge asks the same 40-character question; "unique": each has its own.',
    '',
    '| pending | question | RSS empty | RSS pending | bytes / challenge | JS heap pending | RSS after expiry |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of results.memory) {
    lines.push(
      `| ${integer(row.count)} | ${row.uniqueQuestions ? 'unique' : 'shared'} | ${mebibytes(row.emptyRssBytes)} | ${mebibytes(row.pendingRssBytes)} | ` +
        `${integer(row.bytesPerChallenge)} | ${mebibytes(row.pendingHeapBytes)} | ${mebibytes(row.purgedRssBytes)} |`,
    );
  }
  return lines;
}

function startupSection(results: BenchResults): string[] {
  const startup = results.startup;
  if (startup === null) return [];
  const lines = [
    '### Start-up',
    '',
    `Time from spawn to the first 200 from GET /healthz, ${startup.runs} starts each; the last start`,
    'also loads /docs, /openapi.json and runs one verification.',
    '',
    '| variant | size | build s | median ms | min–max ms | docs and page check |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const variant of startup.variants) {
    const size = variant.sizeBytes === null ? '—' : mebibytes(variant.sizeBytes);
    let check = 'not run';
    if (variant.checked !== null) check = variant.checked.ok ? 'passed' : `failed: ${variant.checked.problems.join('; ')}`;
    lines.push(`| ${variant.name} | ${size} | ${variant.buildSeconds ?? '—'} | ${milliseconds(variant.medianMs)} | ${milliseconds(variant.minMs)}–${milliseconds(variant.maxMs)} | ${check} |`);
  }
  return lines;
}

/** Renders the measured figures as Markdown: machine, command and one table per section. */
export function renderReport(results: BenchResults): string {
  const machine = results.machine;
  const pinning = results.cpus.note ?? `askgate and the baseline pinned to CPU ${results.cpus.serverCpu}, wrk and the load scripts to CPU ${results.cpus.loadCpu} (taskset)`;
  const sections = [
    [
      `Measured ${machine.date} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, Linux ${machine.kernel},`,
      `Bun ${machine.bun}, wrk ${machine.wrk}; ${pinning}.`,
      ...(results.throughput.length > 0 ? [`${results.options.durationSeconds} s per run, ${results.options.repeat} runs, ${results.options.connections} connections.`] : []),
      '',
      '```',
      ...results.commands,
      '```',
    ],
    results.throughput.length > 0 ? throughputSection(results) : [],
    results.memory.length > 0 ? memorySection(results) : [],
    startupSection(results),
  ];
  return sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

/**
 * Replaces the part of docs/benchmarks.md between the result markers with `report`, and writes
 * the chart next to it. Throws when the page or its markers are missing.
 */
export function updateDocs(docsDir: string, report: string, chart: string | null): void {
  const page = join(docsDir, 'benchmarks.md');
  if (!existsSync(page)) throw new Error(`${page} does not exist`);
  const text = readFileSync(page, 'utf8');
  const start = text.indexOf(resultsStartMarker);
  const end = text.indexOf(resultsEndMarker);
  if (start < 0 || end < start) throw new Error(`${page} lacks the ${resultsStartMarker} … ${resultsEndMarker} markers`);
  const updated = text.slice(0, start + resultsStartMarker.length) + '\n' + report + text.slice(end);
  writeFileSync(page, updated);
  if (chart !== null) writeFileSync(join(docsDir, 'benchmarks-throughput.svg'), chart);
}
