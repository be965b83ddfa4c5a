import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from '../../bench/run.ts';
import { readUntil } from '../support/cli.ts';

// A smoke test of the benchmark harness: one 1-second page run against askgate and the
// baseline. Its figures are not checked against any target, because this machine is shared.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'askgate-bench-test-'));

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

/** Lists the PIDs of every process below `pid`, children and their children, from ps. */
function listDescendants(pid: number): number[] {
  const output = Bun.spawnSync(['ps', '-o', 'pid=', '--ppid', String(pid)]).stdout.toString();
  const children = output.split('\n').map((line) => Number(line.trim())).filter((child) => child > 0);
  return children.flatMap((child) => [child, ...listDescendants(child)]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bench harness', () => {
  test('quick page run yields a row', async () => {
    const child = Bun.spawn([process.execPath, 'bench/run.ts', '--quick', '--scenarios', 'page', '--repeat', '1', '--out', outDir], {
      cwd: repoRoot,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toContain('| page | memory |');

    const results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as BenchResults;
    expect(results.throughput.length).toBe(1);
    const row = results.throughput[0]!;
    expect(row.scenario).toBe('page');
    expect(row.store).toBe('memory');
    expect(row.askgate.medianRate).toBeGreaterThan(0);
    expect(row.baseline.medianRate).toBeGreaterThan(0);
    expect(row.askgate.halfLoad?.achievedRate ?? 0).toBeGreaterThan(0);
    expect(readFileSync(join(outDir, 'throughput.svg'), 'utf8')).toStartWith('<svg');
  }, 30_000);

  test('SIGINT stops children and cleans up', async () => {
    // The harness creates its work folder under TMPDIR, so a fresh TMPDIR shows what it leaves.
    const tempDir = mkdtempSync(join(tmpdir(), 'askgate-bench-sigint-'));
    const child = Bun.spawn([process.execPath, 'bench/run.ts', '--quick', '--scenarios', 'page', '--repeat', '1', '--out', join(outDir, 'interrupted')], {
      cwd: repoRoot,
      env: { ...process.env, TMPDIR: tempDir },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      // The page scenario's warm-up runs askgate and the baseline, and then wrk against each.
      const stderr = await readUntil(child.stderr, (text) => text.includes('warm-up'), 20_000);
      expect(stderr).toContain('page on memory');
      await Bun.sleep(500);
      const descendants = listDescendants(child.pid);
      expect(descendants.length).toBeGreaterThanOrEqual(2);
      expect(readdirSync(tempDir).length).toBe(1);

      child.kill('SIGINT');

      expect(await child.exited).toBe(130);
      expect(descendants.filter(isRunning)).toEqual([]);
      expect(readdirSync(tempDir)).toEqual([]);
      expect(existsSync(join(outDir, 'interrupted', 'results.json'))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(tempDir, { recursive: true, force: true });
    }
  }, 30_000);
});
