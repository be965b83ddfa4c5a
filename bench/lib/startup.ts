import { statSync } from 'node:fs';
import { join } from 'node:path';
import { compileFlags } from '../../scripts/build-all.ts';
import type { StartupTimes } from '../startup/time-to-healthz.ts';
import { collectOutput, pinned, spawnChild, type CpuPlan } from './processes.ts';
import { median } from './stats.ts';
import { repoRoot } from './targets.ts';

export interface StartupVariant {
  name: string;
  /** Build command of the executable, or "from source". */
  build: string;
  sizeBytes: number | null;
  buildSeconds: number | null;
  startMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  checked: StartupTimes['checked'];
}

export interface StartupResult {
  runs: number;
  variants: StartupVariant[];
}

/** Flags of the executable without bytecode, as the build script used them before. */
const plainFlags = ['--compile', '--minify', '--sourcemap'];
/** The release flags of `bun run build` and build:all: bytecode needs the ESM format for top-level await. */
const bytecodeFlags = compileFlags;

async function build(outfile: string, flags: string[]): Promise<number> {
  const started = performance.now();
  const child = spawnChild([process.execPath, 'build', join(repoRoot, 'src', 'main.ts'), ...flags, '--outfile', outfile], {
    cwd: repoRoot,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  await collectOutput(child, 180_000, `bun build ${flags.join(' ')}`);
  return (performance.now() - started) / 1000;
}

async function timeStarts(command: string[], runs: number, cpus: CpuPlan): Promise<StartupTimes> {
  const script = join(import.meta.dir, '..', 'startup', 'time-to-healthz.ts');
  const args = ['--runs', String(runs), '--check', ...(cpus.serverCpu === null ? [] : ['--cpu', String(cpus.serverCpu)]), '--', ...command];
  const child = spawnChild(pinned(cpus.loadCpu, [process.execPath, script, ...args]), { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  return JSON.parse(await collectOutput(child, runs * 15_000 + 10_000, 'the start-up measurement')) as StartupTimes;
}

/**
 * Builds the executable with and without --bytecode into `workDir`, then times `runs` starts of
 * each and of `bun src/main.ts`, from spawn to the first 200 from /healthz. The last start of each
 * also checks docs, OpenAPI and a verification.
 */
export async function measureStartup(runs: number, cpus: CpuPlan, workDir: string, log: (message: string) => void): Promise<StartupResult> {
  const plain = join(workDir, 'askgate');
  const bytecode = join(workDir, 'askgate-bytecode');
  log('start-up: building the executable');
  const plainSeconds = await build(plain, plainFlags);
  log('start-up: building the executable with --bytecode');
  const bytecodeSeconds = await build(bytecode, bytecodeFlags);

  const variants: { name: string; build: string; command: string[]; sizeBytes: number | null; buildSeconds: number | null }[] = [
    { name: 'executable', build: `bun build ${plainFlags.join(' ')}`, command: [plain], sizeBytes: statSync(plain).size, buildSeconds: plainSeconds },
    { name: 'executable --bytecode', build: `bun build ${bytecodeFlags.join(' ')}`, command: [bytecode], sizeBytes: statSync(bytecode).size, buildSeconds: bytecodeSeconds },
    { name: 'bun src/main.ts', build: 'from source', command: [process.execPath, join(repoRoot, 'src', 'main.ts')], sizeBytes: null, buildSeconds: null },
  ];

  const results: StartupVariant[] = [];
  for (const variant of variants) {
    log(`start-up: ${runs} starts of ${variant.name}`);
    const times = await timeStarts(variant.command, runs, cpus);
    const result: StartupVariant = {
      name: variant.name,
      build: variant.build,
      sizeBytes: variant.sizeBytes,
      buildSeconds: variant.buildSeconds === null ? null : Math.round(variant.buildSeconds * 10) / 10,
      startMs: times.startMs,
      medianMs: median(times.startMs),
      minMs: Math.min(...times.startMs),
      maxMs: Math.max(...times.startMs),
      checked: times.checked,
    };
    log(`  median ${result.medianMs} ms [${result.minMs}–${result.maxMs}]${result.checked?.ok === false ? `; check failed: ${result.checked.problems.join('; ')}` : ''}`);
    results.push(result);
  }
  return { runs, variants: results };
}
