/**
 * Starts a command (askgate) `--runs` times and measures, for each start, the time from spawn to
 * the first 200 from GET /healthz on the API port. Polls as fast as connections are refused,
 * from this process, which the harness pins to another CPU than the server. With --check, the
 * last start also serves the docs, the OpenAPI document and one verification end to end.
 * Prints one JSON object (a StartupTimes) on standard output.
 *
 *   bun bench/startup/time-to-healthz.ts --runs 20 [--cpu 0] [--check] -- dist/askgate
 */
import type { Subprocess } from 'bun';
import { parseArgs } from 'node:util';
import { answerBody, createBody, createHeaders, csrfFromPage, formHeaders, rightAnswer } from '../load/requests.ts';
import { randomBase64Url } from '../../src/security/random.ts';

export interface StartupTimes {
  command: string[];
  startMs: number[];
  /** Null without --check; otherwise whether docs, OpenAPI and a verification all worked. */
  checked: { ok: boolean; problems: string[] } | null;
}

/** Finds a free loopback port by listening on port 0 and closing again. */
function freePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

async function checkServer(apiUrl: string, apiKey: string): Promise<string[]> {
  const problems: string[] = [];
  const docs = await fetch(`${apiUrl}/docs`);
  const docsText = await docs.text();
  if (docs.status !== 200 || !docsText.includes('<html')) problems.push(`GET /docs returned ${docs.status}`);
  const openapi = await fetch(`${apiUrl}/openapi.json`);
  const spec = openapi.status === 200 ? ((await openapi.json()) as { openapi?: string; paths?: Record<string, unknown> }) : null;
  if (spec === null || spec.openapi === undefined || spec.paths?.['/v1/challenges'] === undefined) problems.push(`GET /openapi.json returned ${openapi.status} without /v1/challenges`);

  const created = await fetch(`${apiUrl}/v1/challenges`, { method: 'POST', headers: createHeaders(apiKey), body: createBody('startup-check') });
  if (created.status !== 201) return [...problems, `POST /v1/challenges returned ${created.status}`];
  const { url } = (await created.json()) as { url: string };
  const page = await fetch(url);
  const csrf = csrfFromPage(await page.text());
  if (page.status !== 200 || csrf === null) return [...problems, `GET /c/{token} returned ${page.status} without a form`];
  const answered = await fetch(url, { method: 'POST', headers: formHeaders, body: answerBody(csrf, rightAnswer) });
  if (answered.status !== 200 || !(await answered.text()).includes('id="return-link"')) problems.push(`POST /c/{token} returned ${answered.status} without the return link`);
  return problems;
}

/** The server of the start being timed, which must not outlive this script. */
let running: Subprocess | null = null;

async function startOnce(command: string[], check: boolean): Promise<{ ms: number; problems: string[] | null }> {
  const apiPort = freePort();
  let webPort = freePort();
  while (webPort === apiPort) webPort = freePort();
  const apiKey = 'ak_startup_' + randomBase64Url(24);
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  const started = performance.now();
  const child = Bun.spawn(command, {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ASKGATE_HOST: '127.0.0.1',
      ASKGATE_API_PORT: String(apiPort),
      ASKGATE_WEB_PORT: String(webPort),
      ASKGATE_API_KEY: apiKey,
      ASKGATE_SECRET: randomBase64Url(48),
      ASKGATE_LOG_FORMAT: 'json',
    },
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'ignore',
  });
  running = child;
  try {
    const deadline = started + 10_000;
    for (;;) {
      if (performance.now() > deadline) throw new Error(`no 200 from ${apiUrl}/healthz within 10 s`);
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with code ${child.exitCode} before /healthz returned 200`);
      try {
        const response = await fetch(`${apiUrl}/healthz`);
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // Connection refused: not listening yet.
      }
    }
    const ms = performance.now() - started;
    return { ms, problems: check ? await checkServer(apiUrl, apiKey) : null };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([child.exited, Bun.sleep(2000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await child.exited;
    running = null;
  }
}

const separator = Bun.argv.indexOf('--');
if (separator < 0 || separator === Bun.argv.length - 1) {
  console.error('Give the command to start after "--", e.g. -- dist/askgate');
  process.exit(2);
}
const { values } = parseArgs({
  args: Bun.argv.slice(2, separator),
  options: { runs: { type: 'string' }, check: { type: 'boolean' }, cpu: { type: 'string' } },
  strict: true,
});
const runs = Number(values.runs ?? '20');
const target = Bun.argv.slice(separator + 1);
const command = values.cpu === undefined ? target : ['taskset', '-c', values.cpu, ...target];

// The harness stops this script with SIGTERM when it is interrupted. The server under test keeps
// no state worth a graceful stop, so it gets SIGKILL, which cannot be delayed.
for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    running?.kill('SIGKILL');
    process.exit(exitCode);
  });
}

const startMs: number[] = [];
let checked: StartupTimes['checked'] = null;
for (let run = 0; run < runs; run++) {
  const last = run === runs - 1;
  const result = await startOnce(command, last && values.check === true);
  startMs.push(Math.round(result.ms * 10) / 10);
  if (result.problems !== null) checked = { ok: result.problems.length === 0, problems: result.problems };
}
const output: StartupTimes = { command: target, startMs, checked };
console.log(JSON.stringify(output));
