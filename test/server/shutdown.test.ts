import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server } from 'bun';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mainPath, readListenerUrls } from '../support/cli.ts';
import { csrfFrom, sampleChallenge, testApiKey, testSecret } from '../support/harness.ts';

let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'askgate-shutdown-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** Starts `askgate serve` as a child process on free loopback ports and waits for its listeners. */
async function spawnServer(env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, mainPath, 'serve'], {
    cwd: workDir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ASKGATE_HOST: '127.0.0.1',
      ASKGATE_API_PORT: '0',
      ASKGATE_WEB_PORT: '0',
      ASKGATE_API_KEY: testApiKey,
      ASKGATE_SECRET: testSecret,
      ASKGATE_LOG_FORMAT: 'json',
      // The load test creates more challenges per minute than the default limit allows, and the
      // validation receiver listens on 127.0.0.1, which the outbound guard rejects by default.
      ASKGATE_CREATE_RATE_PER_MINUTE: '100000',
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
      ...env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const logs = new Response(child.stderr).text();
  try {
    const urls = await readListenerUrls(child.stdout, 20_000);
    return { child, logs, ...urls };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Waits for the child to exit; kills it and fails when it takes longer than `timeoutMs`. */
async function exitWithin(child: Bun.Subprocess, timeoutMs: number): Promise<{ exitCode: number; elapsedMs: number }> {
  const started = performance.now();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exitCode = await child.exited;
  clearTimeout(timer);
  return { exitCode, elapsedMs: performance.now() - started };
}

function errorCodeOf(error: unknown): string {
  return (error as { code?: string }).code ?? (error as Error).name;
}

describe('graceful shutdown', () => {
  test('SIGTERM under load loses no accepted request', async () => {
    const { child, logs, apiUrl } = await spawnServer();
    const clients = 20;
    const loadMs = 1000;
    // A connection error ends a client: after SIGTERM every new request fails to connect.
    const outcomes = { created: 0, connectErrors: [] as string[], failures: [] as string[] };

    const client = async (deadline: number) => {
      while (Date.now() < deadline) {
        let response: Response;
        try {
          response = await fetch(`${apiUrl}/v1/challenges`, {
            method: 'POST',
            headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(sampleChallenge()),
          });
        } catch (error) {
          const code = errorCodeOf(error);
          if (code === 'ECONNREFUSED' || code === 'ECONNRESET') outcomes.connectErrors.push(code);
          else outcomes.failures.push(`fetch failed: ${code}`);
          return;
        }
        const body = await response.text().catch((error: unknown) => `body failed: ${errorCodeOf(error)}`);
        if (response.status === 201 && body.includes('"status":"pending"')) outcomes.created += 1;
        else outcomes.failures.push(`${response.status}: ${body.slice(0, 200)}`);
      }
    };

    const deadline = Date.now() + loadMs;
    const load = Promise.all(Array.from({ length: clients }, () => client(deadline)));
    await Bun.sleep(loadMs / 2);
    child.kill('SIGTERM');
    await load;
    const { exitCode } = await exitWithin(child, 15_000);

    const text = await logs;
    const createdOnServer = text.split('\n').filter((line) => line.includes('"msg":"challenge created"')).length;

    expect(outcomes.failures).toEqual([]);
    expect(outcomes.created).toBeGreaterThan(clients);
    expect(outcomes.connectErrors).toHaveLength(clients);
    // Every challenge the server created reached its client as a 201. So a request that failed
    // with ECONNRESET (on a reused keep-alive connection that the stop closed) was never read.
    expect(createdOnServer).toBe(outcomes.created);
    expect(exitCode).toBe(0);
    expect(text).toContain('"msg":"shutting down"');
    expect(text).toContain('"msg":"stopped"');
  });

  test('SIGINT exits 0', async () => {
    const { child, logs } = await spawnServer();

    child.kill('SIGINT');
    const { exitCode } = await exitWithin(child, 15_000);

    expect(exitCode).toBe(0);
    expect(await logs).toContain('"signal":"SIGINT"');
  });
});

describe('shutdown with a slow request', () => {
  let validation: Server<undefined>;
  let validationDelayMs = 0;
  let validationCalls = 0;

  beforeAll(() => {
    validation = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      idleTimeout: 30,
      fetch: async () => {
        validationCalls += 1;
        await Bun.sleep(validationDelayMs);
        return Response.json({ valid: true });
      },
    });
  });

  afterAll(() => {
    validation.stop(true);
  });

  /** Creates a callback-checked challenge and submits an answer, which then waits on the validation server. */
  async function startSlowAnswer(apiUrl: string) {
    const createResponse = await fetch(`${apiUrl}/v1/challenges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...sampleChallenge(), answer: undefined, validation_url: `http://127.0.0.1:${validation.port}/check` }),
    });
    expect(createResponse.status).toBe(201);
    const { url } = (await createResponse.json()) as { url: string };
    const csrf = csrfFrom(await (await fetch(url)).text());

    const callsBefore = validationCalls;
    const answer = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, answer: 'anything' }).toString(),
    });
    const waitUntil = Date.now() + 5000;
    while (validationCalls === callsBefore && Date.now() < waitUntil) await Bun.sleep(10);
    expect(validationCalls).toBe(callsBefore + 1);
    // Wrapped, because an async function returning the promise itself would wait for the reply.
    return { answer };
  }

  test('request in flight finishes within grace', async () => {
    validationDelayMs = 600;
    const { child, apiUrl } = await spawnServer({ ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1', ASKGATE_SHUTDOWN_GRACE_MS: '5000' });

    const { answer } = await startSlowAnswer(apiUrl);
    child.kill('SIGTERM');
    const response = await answer;
    const { exitCode } = await exitWithin(child, 15_000);

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="return-link"');
    expect(exitCode).toBe(0);
  });

  test('grace period bounds the wait', async () => {
    validationDelayMs = 4000;
    const { child, logs, apiUrl } = await spawnServer({
      ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1',
      ASKGATE_VALIDATION_TIMEOUT_MS: '10000',
      ASKGATE_SHUTDOWN_GRACE_MS: '300',
    });

    const { answer } = await startSlowAnswer(apiUrl);
    const answerOutcome = answer.then(
      (response) => `status ${response.status}`,
      (error: unknown) => `failed: ${errorCodeOf(error)}`,
    );
    child.kill('SIGTERM');
    const { exitCode, elapsedMs } = await exitWithin(child, 15_000);

    expect(exitCode).toBe(0);
    expect(elapsedMs).toBeLessThan(3000);
    expect(await answerOutcome).toStartWith('failed');
    expect(await logs).toContain('shutdown grace period over');
  });
});
