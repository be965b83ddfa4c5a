#!/usr/bin/env bun
/**
 * Compiles askgate into one executable per platform with `bun build --compile` and writes
 * dist/SHA256SUMS in the format `sha256sum -c` reads.
 *
 *   bun scripts/build-all.ts [--targets bun-linux-x64,bun-windows-x64] [--out-dir dist]
 *
 * Bun compiles for the host with its own runtime. For any other target it needs that target's
 * Bun runtime, which it downloads from the npm registry on first use and caches under
 * ~/.bun/install/cache (or $BUN_INSTALL_CACHE_DIR). Without network access and without a cached
 * runtime such a target fails: the script reports each target's result and exits 1 only when the
 * host target fails, or 2 on invalid flags.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * The flags of `bun run build` and of the Dockerfile, so that every binary matches the
 * single-platform build. test/build/build-all.test.ts runs the host build and, under qemu, the
 * other Linux architecture's build. The macOS and Windows builds are not run on this machine.
 */
export const compileFlags = [
  '--compile',
  '--minify',
  '--sourcemap',
  '--bytecode',
  '--format=esm',
  // The executable must not read .env or bunfig.toml from its working directory: its
  // configuration is the environment it starts with, and a bunfig.toml could preload code.
  '--no-compile-autoload-dotenv',
  '--no-compile-autoload-bunfig',
];

export const targets = [
  { target: 'bun-linux-x64', output: 'askgate-linux-x64' },
  { target: 'bun-linux-arm64', output: 'askgate-linux-arm64' },
  { target: 'bun-darwin-arm64', output: 'askgate-darwin-arm64' },
  { target: 'bun-windows-x64', output: 'askgate-windows-x64.exe' },
] as const;

const repoRoot = resolve(import.meta.dir, '..');
const buildTimeoutMs = 300_000;

/** Returns the Bun target of the machine running this script, such as bun-linux-x64. */
export function hostTarget(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `bun-${platform}-${process.arch}`;
}

interface BuildResult {
  target: string;
  output: string;
  ok: boolean;
  /** The last lines bun build printed; explains a failure. */
  detail: string;
}

async function buildTarget(target: string, outputPath: string): Promise<BuildResult> {
  // A binary left by an earlier run must not pass for this run's result.
  rmSync(outputPath, { force: true });
  rmSync(`${outputPath}.map`, { force: true });
  const child = Bun.spawn([process.execPath, 'build', 'src/main.ts', ...compileFlags, `--target=${target}`, '--outfile', outputPath], {
    cwd: repoRoot,
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: buildTimeoutMs,
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const lines = (stdout + stderr).split('\n').map((line) => line.trim()).filter(Boolean);
  const detail = lines.slice(-3).join(' | ');
  return { target, output: basename(outputPath), ok: exitCode === 0 && (await Bun.file(outputPath).exists()), detail };
}

async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher('sha256');
  // Binaries are about 100 MB, so the file is hashed in chunks rather than read whole.
  const reader = Bun.file(path).stream().getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) hasher.update(chunk.value);
  return hasher.digest('hex');
}

async function main(): Promise<number> {
  let values: { targets?: string; 'out-dir'?: string; help?: boolean };
  try {
    values = parseArgs({ args: Bun.argv.slice(2), options: { targets: { type: 'string' }, 'out-dir': { type: 'string' }, help: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    console.error(`${(error as Error).message}. Usage: bun scripts/build-all.ts [--targets LIST] [--out-dir DIR]`);
    return 2;
  }
  if (values.help) {
    console.log('Usage: bun scripts/build-all.ts [--targets LIST] [--out-dir DIR]');
    console.log(`  --targets <list>   comma-separated Bun targets (default: all of ${targets.map((entry) => entry.target).join(', ')})`);
    console.log('  --out-dir <path>   folder for the binaries and SHA256SUMS (default: dist)');
    return 0;
  }

  const wanted = values.targets === undefined ? targets.map((entry) => entry.target) : values.targets.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !targets.some((entry) => entry.target === name));
  if (unknown.length > 0 || wanted.length === 0) {
    console.error(`Unknown or missing targets: ${unknown.join(', ') || '(none given)'}. Use some of: ${targets.map((entry) => entry.target).join(', ')}.`);
    return 2;
  }

  const outDir = resolve(repoRoot, values['out-dir'] ?? 'dist');
  mkdirSync(outDir, { recursive: true });
  const host = hostTarget();
  const results: BuildResult[] = [];
  for (const entry of targets.filter((candidate) => wanted.includes(candidate.target))) {
    const result = await buildTarget(entry.target, join(outDir, entry.output));
    results.push(result);
    const hostNote = entry.target === host ? ' (host)' : '';
    if (result.ok) console.log(`built   ${entry.target}${hostNote} -> ${join(outDir, entry.output)}`);
    else console.log(`FAILED  ${entry.target}${hostNote}: ${result.detail || 'bun build printed nothing'}`);
  }

  const built = results.filter((result) => result.ok);
  const sums: string[] = [];
  for (const result of built) sums.push(`${await sha256File(join(outDir, result.output))}  ${result.output}`);
  writeFileSync(join(outDir, 'SHA256SUMS'), sums.length === 0 ? '' : sums.join('\n') + '\n');
  console.log(`wrote   ${join(outDir, 'SHA256SUMS')} (${built.length} of ${results.length} targets)`);

  const crossFailures = results.filter((result) => !result.ok && result.target !== host);
  if (crossFailures.length > 0) {
    console.log('Cross-compiling needs the target\'s Bun runtime: bun downloads it from the npm registry on first use and caches it in ~/.bun/install/cache. Run again with network access, or copy a cached runtime from another machine.');
  }
  return results.some((result) => !result.ok && result.target === host) ? 1 : 0;
}

if (import.meta.main) process.exit(await main());
