import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dir, '../..');
export const mainPath = join(repoRoot, 'src/main.ts');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `askgate <args>` from the sources in `cwd` with only PATH, HOME and `env` in its
 * environment, and waits for it to exit.
 */
export async function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  const child = Bun.spawn([process.execPath, mainPath, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { exitCode, stdout, stderr };
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
