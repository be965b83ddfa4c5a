/**
 * Sends one scenario's requests at a fixed rate for a bounded time (open loop, as wrk2 does):
 * request i is due at start + i / rate whatever happened to earlier ones, and its latency is
 * counted from that due time, so a stalled server cannot hide its stall by slowing the client.
 * Prints one JSON object (a FixedRateResult) on standard output.
 *
 *   bun bench/load/fixed-rate.ts --url http://127.0.0.1:8080 --scenario page --rate 10000 \
 *     --duration 10 --pool pool.txt
 *
 * The API key for the create scenario comes from BENCH_API_KEY.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { summariseLatencies } from '../lib/stats.ts';
import { answerBody, createBody, createHeaders, formHeaders, parsePool, wrongAnswer, type PoolEntry } from './requests.ts';

export interface FixedRateResult {
  targetRate: number;
  /** Requests completed per second of the run. */
  achievedRate: number;
  sent: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** 99th percentile of how late the client sent a request after its due time. */
  sendLagP99Ms: number;
}

type Scenario = 'create' | 'page' | 'answer-wrong';

function requestFor(scenario: Scenario, baseUrl: string, index: number, pool: PoolEntry[], apiKey: string, runTag: string): Request {
  switch (scenario) {
    case 'create':
      return new Request(`${baseUrl}/v1/challenges`, { method: 'POST', headers: createHeaders(apiKey), body: createBody(`${runTag}-${index}`) });
    case 'page':
      return new Request(baseUrl + (pool[index % pool.length] as PoolEntry).path);
    case 'answer-wrong': {
      const entry = pool[index % pool.length] as PoolEntry;
      return new Request(baseUrl + entry.path, { method: 'POST', headers: formHeaders, body: answerBody(entry.csrf, wrongAnswer) });
    }
  }
}

async function run(): Promise<FixedRateResult> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    strict: true,
    options: {
      url: { type: 'string' },
      scenario: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      pool: { type: 'string' },
      'run-tag': { type: 'string' },
    },
  });
  const scenario = values.scenario as Scenario;
  if (!['create', 'page', 'answer-wrong'].includes(scenario)) throw new Error(`--scenario must be create, page or answer-wrong, got "${values.scenario}"`);
  const rate = Number(values.rate);
  const durationSeconds = Number(values.duration);
  if (!(rate > 0) || !(durationSeconds > 0)) throw new Error('--rate and --duration must be positive numbers');
  const baseUrl = values.url ?? '';
  const pool = values.pool === undefined ? [] : parsePool(readFileSync(values.pool, 'utf8'));
  if (scenario !== 'create' && pool.length === 0) throw new Error(`--pool must list challenges for the ${scenario} scenario`);
  const apiKey = process.env.BENCH_API_KEY ?? '';
  const runTag = values['run-tag'] ?? `fixed-${Date.now()}`;

  const total = Math.max(1, Math.floor(rate * durationSeconds));
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total).fill(Number.POSITIVE_INFINITY);
  const sendLags = new Float64Array(total);
  let sent = 0;
  let finished = 0;
  let errors = 0;
  const start = performance.now() + 20;

  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });

  const send = (index: number, dueAt: number) => {
    sendLags[index] = performance.now() - dueAt;
    fetch(requestFor(scenario, baseUrl, index, pool, apiKey, runTag))
      .then(async (response) => {
        await response.arrayBuffer();
        if (response.status >= 400) errors += 1;
        latencies[index] = performance.now() - dueAt;
      })
      .catch(() => {
        errors += 1;
      })
      .finally(() => {
        finished += 1;
        if (finished === total) allDone();
      });
  };

  // setImmediate keeps the send loop within a fraction of a millisecond of the schedule while
  // still letting responses be read between ticks.
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) {
      send(sent, start + sent * intervalMs);
      sent += 1;
    }
    if (sent < total) setImmediate(tick);
  };
  setImmediate(tick);

  const hardLimitMs = durationSeconds * 1000 + 15_000;
  await Promise.race([done, Bun.sleep(hardLimitMs)]);
  const elapsedSeconds = (performance.now() - start) / 1000;
  const unfinished = total - finished;
  const latency = summariseLatencies(latencies.filter(Number.isFinite));
  const lag = summariseLatencies(sendLags.subarray(0, sent));

  return {
    targetRate: rate,
    achievedRate: Math.round((finished - errors) / elapsedSeconds),
    sent,
    errors: errors + unfinished,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    sendLagP99Ms: lag.p99Ms,
  };
}

console.log(JSON.stringify(await run()));
process.exit(0);
