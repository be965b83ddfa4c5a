import { readFileSync } from 'node:fs';

/** Reads the resident set size of process `pid` from /proc/<pid>/status (Linux only). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Returns the 1-minute load average from /proc/loadavg: how busy the shared machine was. */
export function readLoadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * Reads the CPU time (user plus system) that process `pid` has used so far, in microseconds,
 * from /proc/<pid>/stat. Assumes the usual 100 clock ticks per second of Linux.
 */
export function readCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in brackets may contain spaces; the fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return (userTicks + systemTicks) * 10_000;
}

/**
 * Waits until each process in `pids` uses less than 5% of a CPU over 200 ms, or `timeoutMs`
 * passes. After a run, a server keeps collecting garbage for a second or more, and on a shared
 * CPU that work would slow down the next run against the other server.
 */
export async function waitForIdle(pids: number[], timeoutMs = 10_000): Promise<void> {
  const windowMs = 200;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = pids.map(readCpuMicros);
    await Bun.sleep(windowMs);
    const busy = pids.some((pid, index) => readCpuMicros(pid) - (before[index] as number) > windowMs * 1000 * 0.05);
    if (!busy) return;
  }
}
