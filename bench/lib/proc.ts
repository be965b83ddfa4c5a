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
