import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csrfFrom, sampleChallenge, testApiKey, testSecret } from '../support/harness.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const binaryPath = join(repoRoot, 'dist', 'askgate');
const buildTimeoutMs = 120_000;

/** Reads standard output until both listener lines have appeared; returns the two URLs. */
async function readListenerUrls(stdout: ReadableStream<Uint8Array>, timeoutMs: number): Promise<{ apiUrl: string; webUrl: string; output: string }> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let output = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const apiUrl = /^askgate API listening on (\S+)/m.exec(output)?.[1];
      const webUrl = /^askgate customer page listening on (\S+)/m.exec(output)?.[1];
      if (apiUrl !== undefined && webUrl !== undefined) return { apiUrl, webUrl, output };

      const timeout = Bun.sleep(deadline - Date.now()).then(() => null);
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === null || chunk.done) break;
      output += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  throw new Error(`the binary did not print both listening lines within ${timeoutMs} ms; standard output was:\n${output}`);
}

describe('askgate binary', () => {
  let workDir: string;
  let buildOutput = '';
  let buildExitCode: number | null = null;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'askgate-binary-'));
    const build = Bun.spawn([process.execPath, 'run', 'build'], { cwd: repoRoot, stdout: 'pipe', stderr: 'pipe' });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(build.stdout).text(), new Response(build.stderr).text(), build.exited]);
    buildOutput = stdout + stderr;
    buildExitCode = exitCode;
  }, buildTimeoutMs);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  test('builds an executable file', () => {
    expect(buildExitCode, buildOutput).toBe(0);
    expect(statSync(binaryPath).isFile()).toBe(true);
    expect(() => accessSync(binaryPath, constants.X_OK)).not.toThrow();
  });

  test('serves a challenge end to end', async () => {
    expect(buildExitCode, buildOutput).toBe(0);
    // An empty PATH directory: the binary must run without bun, node or any other tool.
    const emptyBin = join(workDir, 'bin');
    mkdirSync(emptyBin);
    const child = Bun.spawn([binaryPath], {
      cwd: workDir,
      env: {
        PATH: emptyBin,
        HOME: workDir,
        ASKGATE_HOST: '127.0.0.1',
        ASKGATE_API_PORT: '0',
        ASKGATE_WEB_PORT: '0',
        ASKGATE_API_KEY: testApiKey,
        ASKGATE_SECRET: testSecret,
        ASKGATE_LOG_FORMAT: 'json',
      },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const stderrText = new Response(child.stderr).text();

    try {
      const { apiUrl, webUrl, output } = await readListenerUrls(child.stdout, 15_000);
      expect(apiUrl).toStartWith('http://127.0.0.1:');
      expect(webUrl).toStartWith('http://127.0.0.1:');
      expect(output).not.toContain('Development API key');

      const authorization = { authorization: `Bearer ${testApiKey}` };
      const createResponse = await fetch(`${apiUrl}/v1/challenges`, {
        method: 'POST',
        headers: { ...authorization, 'content-type': 'application/json' },
        body: JSON.stringify(sampleChallenge()),
      });
      expect(createResponse.status).toBe(201);
      const created = await createResponse.json();
      expect(created.url).toStartWith(`${webUrl}/c/`);

      const pageResponse = await fetch(created.url);
      expect(pageResponse.status).toBe(200);
      const csrf = csrfFrom(await pageResponse.text());
      const answerResponse = await fetch(created.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, answer: '1990-04-12' }).toString(),
      });
      expect(answerResponse.status).toBe(200);
      expect(await answerResponse.text()).toContain('id="return-link"');

      const recordResponse = await fetch(`${apiUrl}/v1/challenges/${created.id}`, { headers: authorization });
      expect(recordResponse.status).toBe(200);
      expect((await recordResponse.json()).status).toBe('passed');

      child.kill('SIGTERM');
      expect(await child.exited, await stderrText).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await child.exited;
    }
  });
});
