import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from '../../bench/run.ts';

// A smoke test of the benchmark harness: one 1-second page run against askgate and the
// baseline. Its figures are not checked against any target, because this machine is shared.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'askgate-bench-test-'));

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

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
});
