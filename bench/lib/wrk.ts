import { join } from 'node:path';
import { collectOutput, pinned, spawnChild } from './processes.ts';

export const wrkScriptDir = join(import.meta.dir, '..', 'wrk');

/** The figures of one wrk run. Latencies are in milliseconds. */
export interface LoadRun {
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Replies outside 2xx/3xx plus socket errors and timeouts. */
  errors: number;
  /** The machine's 1-minute load average just before the run. */
  loadAverage?: number;
  /**
   * CPU time the server process used per request (per flow in the flow scenario), in
   * microseconds. Other processes slow it down less than they slow down the request rate.
   */
  serverCpuMicros?: number;
}

export interface WrkRun {
  url: string;
  /** File name under bench/wrk/, or null for a plain GET of `url`. */
  script: string | null;
  durationSeconds: number;
  connections: number;
  cpu: number | null;
  env: Record<string, string>;
}

const unitsToMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseDurationMs(text: string): number {
  const match = /^([0-9.]+)(us|ms|s|m)$/.exec(text);
  if (match === null) throw new Error(`unexpected wrk latency "${text}"`);
  return Number(match[1]) * (unitsToMs[match[2] as string] as number);
}

/** Parses wrk's report as printed with --latency (wrk 4.1). */
export function parseWrkOutput(output: string): LoadRun {
  const rps = /^Requests\/sec:\s+([0-9.]+)/m.exec(output);
  const total = /^\s*(\d+) requests in /m.exec(output);
  const p50 = /^\s+50(?:\.000)?%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99(?:\.000)?%\s+(\S+)/m.exec(output);
  if (rps === null || total === null || p50 === null || p99 === null) {
    throw new Error(`could not read wrk's report:\n${output}`);
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket === null ? 0 : socket.slice(1, 5).reduce((sum, value) => sum + Number(value), 0);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: Number(total[1]),
    p50Ms: parseDurationMs(p50[1] as string),
    p99Ms: parseDurationMs(p99[1] as string),
    errors: (non2xx === null ? 0 : Number(non2xx[1])) + socketErrors,
  };
}

/** Runs wrk with one thread (the load generator has one CPU) and returns its figures. */
export async function runWrk(run: WrkRun): Promise<LoadRun> {
  const args = ['wrk', '-t1', `-c${run.connections}`, `-d${run.durationSeconds}s`, '--latency', '--timeout', '5s'];
  if (run.script !== null) args.push('-s', join(wrkScriptDir, run.script));
  args.push(run.url);
  const child = spawnChild(pinned(run.cpu, args), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BENCH_THREADS: '1', ...run.env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const output = await collectOutput(child, (run.durationSeconds + 30) * 1000, 'wrk');
  return parseWrkOutput(output);
}
