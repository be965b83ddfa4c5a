import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  bun: string;
  wrk: string;
  date: string;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Describes the machine the figures come from: CPUs, memory, kernel and tool versions. */
export function describeMachine(): MachineInfo {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readOr('/proc/cpuinfo'))?.[1]?.trim() ?? 'unknown';
  const memoryKiB = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readOr('/proc/meminfo'))?.[1] ?? 0);
  const wrkVersion = Bun.spawnSync(['wrk', '-v']);
  const wrk = /^wrk (\S+)/m.exec(wrkVersion.stdout.toString() + wrkVersion.stderr.toString())?.[1] ?? 'not found';
  return {
    cpus: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((memoryKiB / 1024 / 1024) * 10) / 10,
    kernel: release(),
    bun: Bun.version,
    wrk,
    date: new Date().toISOString().slice(0, 10),
  };
}
