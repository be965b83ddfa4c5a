/**
 * Times askgate's request handling without HTTP: the Elysia apps are called through `handle()`
 * in this process, next to their parts (rendering, the service, an empty Elysia route). It shows
 * where a request's CPU time goes. What the harness measures per request on top of this is
 * Bun.serve, the kernel and the wrapper in src/server.ts.
 *
 *   taskset -c 1 bun bench/breakdown/in-process.ts
 *
 * Prints one line per step with the mean time per call.
 */
import { Elysia } from 'elysia';
import { createApiApp } from '../../src/api/app.ts';
import type { CreateChallengeInput } from '../../src/challenge/create-input.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { createAskgateMetrics } from '../../src/observability/askgate-metrics.ts';
import { instrumentStore } from '../../src/observability/instrumented-store.ts';
import type { AbuseLimits } from '../../src/security/abuse-limits.ts';
import { sha256 } from '../../src/security/digest.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { createWebApp } from '../../src/web/app.tsx';
import { createPageContextResolver } from '../../src/web/page-context.ts';
import { QuestionPage } from '../../src/web/pages/question-page.tsx';
import { benchService } from '../lib/bench-service.ts';
import { createBody, csrfFromPage } from '../load/requests.ts';

const secret = 'bench-secret-'.padEnd(48, 's');
const apiKey = 'ak_bench_in_process';
const origin = 'http://127.0.0.1:1';

/** The limits the harness sets: their maximum, so that no request is rejected. */
const limits: AbuseLimits = {
  createPerMinute: 1_000_000,
  clientFailuresMax: 100,
  clientFailuresWindowSeconds: 900,
  pageSubmissionsPerMinute: 1_000_000,
  trustedProxies: [],
  allowPrivateOutbound: false,
};
const memoryStore = new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 60 });
// The server wraps its store to count calls for /metrics; so does this script.
const metrics = createAskgateMetrics();
const store = instrumentStore(memoryStore, metrics, silentLogger);
const service = benchService(store, {
  secret,
  webhookUrlHosts: [],
  confirmWindowSeconds: 600,
  clientFailures: { max: limits.clientFailuresMax, windowSeconds: limits.clientFailuresWindowSeconds },
});
const web = createWebApp({ service, store, secret, publicUrl: origin, defaultLocale: 'en', logger: silentLogger, limits });
const api = createApiApp({
  service,
  store,
  bootstrapKeyHash: sha256(apiKey),
  adminKeyHash: null,
  publicUrl: origin,
  logger: silentLogger,
  version: 'bench',
  limits,
  metrics: metrics.registry,
  metricsToken: null,
});
const emptyRoute = new Elysia().get('/c/:token', () => new Response('ok'));

let serial = 0;
const nextBody = (extra: Record<string, unknown> = {}) => createBody(`in-process-${serial++}`, extra);

/** Runs `step` `calls` times after a warm-up and prints the mean time per call. */
async function time(label: string, calls: number, step: () => unknown): Promise<void> {
  for (let index = 0; index < Math.min(5000, calls); index++) await step();
  const started = performance.now();
  for (let index = 0; index < calls; index++) await step();
  const micros = ((performance.now() - started) * 1000) / calls;
  console.log(`${label.padEnd(40)} ${micros.toFixed(1).padStart(6)} µs`);
}

const { challenge, pageToken } = await service.create('default', JSON.parse(nextBody()) as CreateChallengeInput);
const pageUrl = `${origin}/c/${pageToken}`;
const pageContext = createPageContextResolver({}, 'en')(new Request(pageUrl), challenge);
const csrfToken = csrfFromPage(await (await web.handle(new Request(pageUrl))).text()) ?? '';

await time('GET /c/{token} through web.handle', 100_000, async () => {
  await (await web.handle(new Request(pageUrl))).text();
});
await time('  same route, empty Elysia handler', 100_000, async () => {
  await (await emptyRoute.handle(new Request(pageUrl))).text();
});
await time('  service.findByPageToken', 100_000, () => service.findByPageToken(pageToken));
const questionViews = challenge.questions.map((question) => ({ id: question.id, prompt: question.prompt, type: question.type, choices: question.choices ?? [] }));
await time('  QuestionPage render to a string', 100_000, () =>
  QuestionPage({ page: pageContext, questions: questionViews, csrfToken, notice: null, invalidIds: new Set<string>() }),
);

await time('POST /v1/challenges through api.handle', 50_000, async () => {
  const response = await api.handle(
    new Request(`${origin}/v1/challenges`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: nextBody() }),
  );
  await response.text();
});
await time('  service.create', 50_000, () => service.create('default', JSON.parse(nextBody()) as CreateChallengeInput));

// Every challenge of the pool takes at most nine wrong answers, so none locks.
const pool = await Promise.all(
  Array.from({ length: 6000 }, async () => {
    const created = await service.create('default', JSON.parse(nextBody({ max_attempts: 10 })) as CreateChallengeInput);
    const url = `${origin}/c/${created.pageToken}`;
    return { url, csrf: csrfFromPage(await (await web.handle(new Request(url))).text()) ?? '' };
  }),
);
let next = 0;
await time('POST /c/{token}, wrong answer', 45_000, async () => {
  const entry = pool[next++ % pool.length] as { url: string; csrf: string };
  const request = new Request(entry.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: entry.csrf, answer: 'not-the-answer' }).toString(),
  });
  await (await web.handle(request)).text();
});

await memoryStore.close();
