/**
 * Measures how many challenges askgate creates and how many customers it serves per second
 * through HTTP, for each store, with askgate running as a child process (`bun src/main.ts`) and
 * this script as the only client on 127.0.0.1.
 *
 * Each run starts a fresh askgate on a fresh store, then runs two phases with 8 clients:
 * - create: POST /v1/challenges for 5 s, each with a new client_id;
 * - answer: one customer per challenge created in the first phase: GET /c/<token>, then POST the
 *   right answer with the page's CSRF token (two requests per customer). The phase ends after 5 s
 *   or when every created challenge was answered.
 * Three runs per store; the medians are printed.
 *
 * Usage: bun bench/store-http-throughput.ts [memory] [sqlite] [redis]   (default: all three)
 *   sqlite  a temporary file with synchronous = FULL (the default)
 *   redis   the local Redis at 127.0.0.1:6379, database 0, under a fresh key prefix deleted at the end
 *
 * NOTE: client and server share the machine's cores, so the figures are lower than a server
 * with its own cores would reach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAskgate, type ChildAskgate } from '../test/support/child-askgate.ts';
import { csrfFrom } from '../test/support/harness.ts';
import { connectLocalRedis, deleteKeys, localRedisUrl, uniquePrefix } from '../test/support/redis.ts';

const kinds = ['memory', 'sqlite', 'redis'] as const;
type Kind = (typeof kinds)[number];

const clients = 8;
const phaseMs = 5000;
const runs = 3;
const rightAnswer = '1990-04-12';

interface StoreRun {
  env: Record<string, string>;
  cleanUp: () => Promise<void>;
}

async function prepareStore(kind: Kind): Promise<StoreRun> {
  switch (kind) {
    case 'memory':
      return { env: { ASKGATE_STORE: 'memory' }, cleanUp: async () => {} };
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'askgate-http-bench-'));
      return { env: { ASKGATE_STORE: `sqlite:${join(dir, 'askgate.db')}` }, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    case 'redis': {
      const admin = await connectLocalRedis();
      const prefix = uniquePrefix();
      return {
        env: { ASKGATE_STORE: localRedisUrl, ASKGATE_REDIS_PREFIX: prefix },
        cleanUp: async () => {
          await deleteKeys(admin, prefix);
          admin.close();
        },
      };
    }
  }
}

/** Runs `clients` loops of `step` until `phaseMs` passed or `step` returns false, and returns the completed steps per second. */
async function runPhase(step: () => Promise<boolean>): Promise<{ perSecond: number; completed: number; failed: number }> {
  const started = performance.now();
  const stopAt = started + phaseMs;
  let completed = 0;
  let failed = 0;
  let exhausted = false;
  const loop = async () => {
    while (!exhausted && performance.now() < stopAt) {
      try {
        if (await step()) completed += 1;
        else exhausted = true;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  return { perSecond: completed / ((performance.now() - started) / 1000), completed, failed };
}

async function runOnce(kind: Kind, runIndex: number): Promise<{ create: number; answer: number; created: number; answered: number; failed: number }> {
  const store = await prepareStore(kind);
  let askgate: ChildAskgate | null = null;
  try {
    // The default limit of 600 creates per minute and API key would cap the create phase at 10/s.
    askgate = await spawnAskgate({ ...store.env, ASKGATE_LOG_LEVEL: 'warn', ASKGATE_EXPIRATION: '3600', ASKGATE_CREATE_RATE_PER_MINUTE: '1000000' });
    const api = askgate.api;
    const pageUrls: string[] = [];
    let serial = 0;

    const create = await runPhase(async () => {
      serial += 1;
      const response = await api('/v1/challenges', {
        body: {
          client_id: `bench-${runIndex}-${serial}`,
          question: 'What is your date of birth?',
          answer: rightAnswer,
          return: { channel: 'whatsapp', phone: '+5491122334455' },
        },
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`create returned ${response.status}`);
      pageUrls.push((JSON.parse(text) as { url: string }).url);
      return true;
    });

    const answer = await runPhase(async () => {
      const pageUrl = pageUrls.pop();
      if (pageUrl === undefined) return false;
      const page = await fetch(pageUrl);
      const csrf = csrfFrom(await page.text());
      const submitted = await fetch(pageUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, answer: rightAnswer }).toString(),
      });
      const html = await submitted.text();
      if (submitted.status !== 200 || !html.includes('id="return-link"')) throw new Error(`answer returned ${submitted.status}`);
      return true;
    });

    return { create: create.perSecond, answer: answer.perSecond, created: create.completed, answered: answer.completed, failed: create.failed + answer.failed };
  } finally {
    await askgate?.kill('SIGKILL');
    await store.cleanUp();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(kinds as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`Unknown store ${unknown.join(', ')}. Usage: bun bench/store-http-throughput.ts [${kinds.join('] [')}]`);
  process.exit(2);
}
const selected = (requested.length > 0 ? requested : [...kinds]) as Kind[];

console.log(`Bun ${Bun.version}, ${clients} clients, ${phaseMs / 1000} s per phase, median of ${runs} runs; askgate in a child process`);
for (const kind of selected) {
  const results: Awaited<ReturnType<typeof runOnce>>[] = [];
  for (let run = 0; run < runs; run++) results.push(await runOnce(kind, run));
  const rates = (pick: (result: (typeof results)[number]) => number) => results.map((result) => Math.round(pick(result)));
  console.log(`${kind}:`);
  console.log(`  create: median ${median(rates((r) => r.create))}/s (runs: ${rates((r) => r.create).join(', ')})`);
  console.log(`  answer (GET page + POST answer): median ${median(rates((r) => r.answer))}/s (runs: ${rates((r) => r.answer).join(', ')})`);
  console.log(`  challenges created per run: ${results.map((r) => r.created).join(', ')}; answered: ${results.map((r) => r.answered).join(', ')}; failed requests: ${results.map((r) => r.failed).join(', ')}`);
}
