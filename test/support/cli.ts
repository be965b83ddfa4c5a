import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dir, '../..');
export const mainPath = join(repoRoot, 'src/main.ts');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Maximum run time of `runCli`, so that a hung command cannot outlive its test file. */
const runTimeoutMs = 30_000;

/**
 * Starts `askgate <args>` from the sources in `cwd` with only PATH, HOME and `env` in its
 * environment, and returns the child without waiting for it. The caller stops it.
 */
export function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}): Bun.Subprocess<'ignore', 'pipe', 'pipe'> {
  return Bun.spawn([process.execPath, mainPath, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
}

/**
 * Runs `askgate <args>` like `spawnCli` and waits for it to exit. A run that takes longer
 * than 30 s is killed with SIGKILL.
 */
export async function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnCli(args, cwd, env);
  const killTimer = setTimeout(() => child.kill('SIGKILL'), runTimeoutMs);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { exitCode, stdout, stderr };
  } finally {
    clearTimeout(killTimer);
  }
}

/** Reads `stream` until `done` accepts the text so far; throws after `timeoutMs`. */
export async function readUntil(stream: ReadableStream<Uint8Array>, done: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!done(text)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for output. Output so far: ${text}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for output. Output so far: ${text}`)), remaining);
      });
      const chunk = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error(`output ended before the expected text. Output so far: ${text}`);
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

/** Reads the two "listening on" lines that `askgate serve` prints and returns both URLs. */
export async function readListenerUrls(stdout: ReadableStream<Uint8Array>, timeoutMs: number): Promise<{ apiUrl: string; webUrl: string }> {
  const text = await readUntil(stdout, (output) => /customer page listening on \S+/.test(output) && /API listening on \S+/.test(output), timeoutMs);
  return {
    apiUrl: /API listening on (\S+)/.exec(text)?.[1] as string,
    webUrl: /customer page listening on (\S+)/.exec(text)?.[1] as string,
  };
}
