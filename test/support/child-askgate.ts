import type { Subprocess } from 'bun';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mainPath, readListenerUrls } from './cli.ts';
import { testApiKey, testSecret } from './harness.ts';

/** An `askgate serve` child process started from the sources, stopped by PID. */
export interface ChildAskgate {
  pid: number;
  apiUrl: string;
  webUrl: string;
  /** Calls the child's API with the test key. `body` is sent as JSON. */
  api: (path: string, init?: { method?: string; body?: unknown; signal?: AbortSignal }) => Promise<Response>;
  /** Everything the child wrote to standard error so far: its JSON log lines. */
  logs: () => string;
  /** Sends `signal` (default SIGKILL) to the child's PID and waits for it to exit. Safe to call twice. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Collects a stream into `sink` until it ends, so that a full pipe never blocks the child. */
function drain(stream: ReadableStream<Uint8Array>, sink: { text: string }): void {
  void (async () => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      sink.text += decoder.decode(chunk.value, { stream: true });
    }
  })().catch(() => {});
}

/**
 * Spawns `bun src/main.ts` with free loopback ports, the test API key and secret, JSON logs,
 * outbound requests to loopback allowed, no practical page rate limit and `env` on top, and waits (at most `timeoutMs`) for its two "listening on" lines. The child runs
 * in an empty temporary folder, so no cert.pem there turns TLS on.
 */
export async function spawnAskgate(env: Record<string, string>, timeoutMs = 15_000): Promise<ChildAskgate> {
  const cwd = mkdtempSync(join(tmpdir(), 'askgate-child-'));
  const child: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn([process.execPath, mainPath], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? cwd,
      ASKGATE_HOST: '127.0.0.1',
      ASKGATE_API_PORT: '0',
      ASKGATE_WEB_PORT: '0',
      ASKGATE_API_KEY: testApiKey,
      ASKGATE_SECRET: testSecret,
      ASKGATE_LOG_FORMAT: 'json',
      // Webhook and validation receivers in tests listen on 127.0.0.1, which the outbound guard rejects by default.
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
      // Every test request comes from 127.0.0.1; the per-address page limit has its own tests.
      ASKGATE_PAGE_RATE_PER_MINUTE: '100000',
      ...env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const stderr = { text: '' };
  drain(child.stderr, stderr);

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, signal);
    await child.exited;
    rmSync(cwd, { recursive: true, force: true });
  };

  let urls: { apiUrl: string; webUrl: string };
  try {
    urls = await readListenerUrls(child.stdout, timeoutMs);
  } catch (error) {
    await kill('SIGKILL');
    throw new Error(`askgate child did not start: ${error instanceof Error ? error.message : String(error)}\nstderr: ${stderr.text}`);
  }
  drain(child.stdout, { text: '' });

  const api: ChildAskgate['api'] = (path, init = {}) =>
    fetch(urls.apiUrl + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${testApiKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });

  return { pid: child.pid, ...urls, api, logs: () => stderr.text, kill };
}
