import type { Subprocess } from 'bun';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBase64Url } from '../../src/security/random.ts';
import { pinned, spawnChild, stopChild } from './processes.ts';

export const repoRoot = join(import.meta.dir, '..', '..');
export const binaryPath = join(repoRoot, 'dist', 'askgate');

export interface RunningAskgate {
  apiUrl: string;
  webUrl: string;
  apiKey: string;
  child: Subprocess;
  stop: () => Promise<void>;
}

export interface RunningBaseline {
  url: string;
  child: Subprocess;
  stop: () => Promise<void>;
}

/**
 * Reads `stream` until every pattern has matched a line; returns the first capture group of each.
 * Keeps draining the stream afterwards, so that a child writing more output never blocks.
 */
async function readUntil(stream: ReadableStream<Uint8Array>, patterns: RegExp[], timeoutMs: number, what: string): Promise<string[]> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let output = '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = patterns.map((pattern) => pattern.exec(output)?.[1]);
    if (found.every((value) => value !== undefined)) {
      void (async () => {
        while (!(await reader.read()).done) {
          // Discard: only the first lines matter.
        }
      })().catch(() => {});
      return found as string[];
    }
    const chunk = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
    if (chunk === null || chunk.done) break;
    output += decoder.decode(chunk.value, { stream: true });
  }
  throw new Error(`${what} did not print its listening line(s) within ${timeoutMs} ms; standard output was:\n${output}`);
}

export interface AskgateLaunch {
  store: string;
  binary: boolean;
  cpu: number | null;
  /** Standard error of the server (its log) goes to this file. */
  logFile: string;
  /** Extra ASKGATE_* variables. */
  env?: Record<string, string>;
}

/**
 * Starts askgate on free loopback ports with a fresh API key and secret. Logs stay at the
 * default level (info) in JSON, written to `logFile`, as in a production setup.
 */
export async function startAskgate(launch: AskgateLaunch): Promise<RunningAskgate> {
  const apiKey = 'ak_bench_' + randomBase64Url(24);
  const command = launch.binary ? [binaryPath] : [process.execPath, join(repoRoot, 'src', 'main.ts')];
  if (launch.binary && !existsSync(binaryPath)) throw new Error(`${binaryPath} does not exist; run "bun run build" first`);

  const child = spawnChild(pinned(launch.cpu, command), {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ASKGATE_HOST: '127.0.0.1',
      ASKGATE_API_PORT: '0',
      ASKGATE_WEB_PORT: '0',
      ASKGATE_API_KEY: apiKey,
      ASKGATE_SECRET: randomBase64Url(48),
      ASKGATE_STORE: launch.store,
      // The create scenario alone makes hundreds of thousands of challenges; the default cap of
      // 1,000,000 pending would turn a long run into 429 replies.
      ASKGATE_MAX_PENDING: '100000000',
      // Abuse limits at their maximum, so that the load measures work rather than 429 replies.
      // Versions without these settings ignore them.
      // NOTE: the maximum is 1,000,000 per minute. A scenario that creates or answers more within
      // one minute (16,700 per second sustained) gets 429 replies, which the report lists as errors.
      ASKGATE_CREATE_RATE_PER_MINUTE: '1000000',
      ASKGATE_PAGE_RATE_PER_MINUTE: '1000000',
      ASKGATE_CLIENT_FAILURES_MAX: '100',
      ASKGATE_LOG_FORMAT: 'json',
      ...launch.env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: Bun.file(launch.logFile),
  });

  try {
    const [apiUrl, webUrl] = await readUntil(
      child.stdout as ReadableStream<Uint8Array>,
      [/^askgate API listening on (\S+)/m, /^askgate customer page listening on (\S+)/m],
      20_000,
      'askgate',
    );
    return { apiUrl: apiUrl as string, webUrl: webUrl as string, apiKey, child, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

export async function startBaseline(cpu: number | null): Promise<RunningBaseline> {
  const child = spawnChild(pinned(cpu, [process.execPath, join(import.meta.dir, '..', 'servers', 'baseline-server.ts')]), {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  try {
    const [url] = await readUntil(child.stdout as ReadableStream<Uint8Array>, [/^baseline listening on (\S+)/m], 10_000, 'the baseline server');
    return { url: url as string, child, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
