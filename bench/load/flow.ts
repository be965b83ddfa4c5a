/**
 * Runs whole verifications for a bounded time: create a challenge, open its page, post the right
 * answer, read the status. Prints one JSON object (a FlowResult) on standard output.
 *
 *   bun bench/load/flow.ts --api http://127.0.0.1:8000 --web http://127.0.0.1:8080 \
 *     --duration 10 --concurrency 64            # closed loop: as many flows as 64 workers finish
 *   bun bench/load/flow.ts ... --rate 500       # open loop: a new flow every 2 ms
 *
 * With --baseline, the same four requests (same methods, paths and bodies) go to a server that
 * answers everything with a constant 200, and replies are not checked.
 * The API key comes from BENCH_API_KEY.
 */
import { parseArgs } from 'node:util';
import { summariseLatencies } from '../lib/stats.ts';
import { answerBody, createBody, createHeaders, csrfFromPage, formHeaders, rightAnswer } from './requests.ts';

export interface FlowResult {
  flows: number;
  flowsPerSecond: number;
  /** HTTP requests per second: four per flow. */
  requestsPerSecond: number;
  errors: number;
  /** The first error message seen, to tell a broken setup from a slow one. */
  firstError: string | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Open loop only: the rate asked for, and the 99th percentile of how late flows started. */
  targetRate: number | null;
  startLagP99Ms: number | null;
}

interface FlowOptions {
  apiUrl: string;
  webUrl: string;
  apiKey: string;
  baseline: boolean;
  runTag: string;
}

const baselinePagePath = '/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const baselineCsrf = 'A'.repeat(43);

async function expectStatus(response: Response, expected: number, step: string): Promise<string> {
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${step} returned ${response.status}, expected ${expected}: ${text.slice(0, 200)}`);
  return text;
}

/** Runs one verification from creation to the passed status. */
async function runFlow(options: FlowOptions, index: number): Promise<void> {
  const authorization = { authorization: `Bearer ${options.apiKey}` };
  const created = await fetch(`${options.apiUrl}/v1/challenges`, {
    method: 'POST',
    headers: createHeaders(options.apiKey),
    body: createBody(`${options.runTag}-${index}`),
  });
  if (options.baseline) {
    await created.arrayBuffer();
    await (await fetch(options.webUrl + baselinePagePath)).arrayBuffer();
    await (await fetch(options.webUrl + baselinePagePath, { method: 'POST', headers: formHeaders, body: answerBody(baselineCsrf, rightAnswer) })).arrayBuffer();
    await (await fetch(`${options.apiUrl}/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA`, { headers: authorization })).arrayBuffer();
    return;
  }

  const { id, url } = JSON.parse(await expectStatus(created, 201, 'create')) as { id: string; url: string };
  const csrf = csrfFromPage(await expectStatus(await fetch(url), 200, 'page'));
  if (csrf === null) throw new Error('page has no CSRF field');
  const answered = await expectStatus(await fetch(url, { method: 'POST', headers: formHeaders, body: answerBody(csrf, rightAnswer) }), 200, 'answer');
  if (!answered.includes('id="return-link"')) throw new Error('the right answer did not lead to the success page');
  const status = JSON.parse(await expectStatus(await fetch(`${options.apiUrl}/v1/challenges/${id}`, { headers: authorization }), 200, 'status')) as { status: string };
  if (status.status !== 'passed') throw new Error(`status is ${status.status} after the right answer`);
}

async function main(): Promise<FlowResult> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    strict: true,
    options: {
      api: { type: 'string' },
      web: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      baseline: { type: 'boolean' },
      'run-tag': { type: 'string' },
    },
  });
  const durationMs = Number(values.duration) * 1000;
  if (!(durationMs > 0)) throw new Error('--duration must be a positive number of seconds');
  const options: FlowOptions = {
    apiUrl: values.api ?? '',
    webUrl: values.web ?? '',
    apiKey: process.env.BENCH_API_KEY ?? '',
    baseline: values.baseline === true,
    runTag: values['run-tag'] ?? `flow-${Date.now()}`,
  };

  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | null = null;
  let index = 0;
  const timed = async (dueAt: number) => {
    started += 1;
    const flowIndex = index++;
    try {
      await runFlow(options, flowIndex);
      latencies.push(performance.now() - dueAt);
    } catch (error) {
      errors += 1;
      firstError ??= (error as Error).message;
    }
  };

  const start = performance.now();
  const end = start + durationMs;
  const rate = values.rate === undefined ? null : Number(values.rate);
  const startLags: number[] = [];

  if (rate === null) {
    const concurrency = Number(values.concurrency ?? '64');
    const worker = async () => {
      while (performance.now() < end) await timed(performance.now());
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } else {
    if (!(rate > 0)) throw new Error('--rate must be a positive number of flows per second');
    const total = Math.max(1, Math.floor((rate * durationMs) / 1000));
    const running: Promise<void>[] = [];
    await new Promise<void>((resolve) => {
      let scheduled = 0;
      const tick = () => {
        const now = performance.now();
        while (scheduled < total && start + (scheduled * 1000) / rate <= now) {
          const dueAt = start + (scheduled * 1000) / rate;
          startLags.push(now - dueAt);
          running.push(timed(dueAt));
          scheduled += 1;
        }
        if (scheduled < total) setImmediate(tick);
        else resolve();
      };
      setImmediate(tick);
    });
    await Promise.race([Promise.all(running), Bun.sleep(15_000)]);
  }

  const elapsedSeconds = (performance.now() - start) / 1000;
  // Flows still running when the wait above ended count as errors too.
  errors = started - latencies.length;
  const summary = summariseLatencies(Float64Array.from(latencies));
  return {
    flows: latencies.length,
    flowsPerSecond: Math.round((latencies.length / elapsedSeconds) * 10) / 10,
    requestsPerSecond: Math.round((latencies.length * 4) / elapsedSeconds),
    errors,
    firstError,
    ...summary,
    targetRate: rate,
    startLagP99Ms: rate === null ? null : summariseLatencies(Float64Array.from(startLags)).p99Ms,
  };
}

console.log(JSON.stringify(await main()));
process.exit(0);
