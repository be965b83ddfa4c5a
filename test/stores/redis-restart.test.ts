import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';
import { freePort, OwnRedisServer } from '../support/redis.ts';

// askgate keeps running while its Redis dies (or freezes) and comes back on the same port. These
// tests start and stop their own redis-server without persistence, so the shared Redis is never
// disturbed.
const createClients = 4;
const pageClients = 4;
/** Pause of each client between two requests, which bounds the load to a few thousand requests a second. */
const clientPauseMs = 2;
const healthyMs = 1000;
const outageMs = 3000;
/** Maximum duration of one request. Redis commands time out after 1.5 s, so a longer request hangs. */
const maxRequestMs = 3000;
const recoveryLimitMs = 5000;
/** The load exceeds the default limit of 600 creates per minute and API key, which has its own tests. */
const unlimitedCreates = '1000000';

type Phase = 'healthy' | 'outage' | 'recovered';

interface Outcome {
  kind: 'create' | 'page';
  /** The phase when the request was sent. */
  phase: Phase;
  /** HTTP status, or 0 when no reply came within 5 s or the connection failed. */
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: string;
  elapsedMs: number;
  /** For page requests: whether the challenge was created before Redis came back. */
  tokenFromBeforeOutage: boolean;
}

interface LoadReport {
  outcomes: Outcome[];
  readyDuringOutage: number;
  readyAfterRecovery: number;
  /** Time from the end of the outage to the first acknowledged create, or null when none came within 5 s. */
  recoveryMs: number | null;
}

/**
 * Runs create and page-read clients against `askgate` for about a second, calls `disrupt`,
 * keeps the load running for the outage, calls `restore`, and stops the load shortly after the
 * first create succeeds again.
 */
async function runLoadAcrossOutage(askgate: Askgate, disrupt: () => Promise<void>, restore: () => Promise<void>): Promise<LoadReport> {
  let phase: Phase = 'healthy';
  let stopLoad = false;
  const outcomes: Outcome[] = [];
  const pages: { url: string; phase: Phase }[] = [];
  for (let i = 0; i < 10; i++) pages.push({ url: (await askgate.createChallenge(sampleChallenge())).url, phase: 'healthy' });

  const record = async (kind: Outcome['kind'], send: (signal: AbortSignal) => Promise<Response>, tokenFromBeforeOutage = false) => {
    const sentIn = phase;
    const started = performance.now();
    const outcome: Outcome = { kind, phase: sentIn, status: 0, contentType: '', retryAfter: null, body: '', elapsedMs: 0, tokenFromBeforeOutage };
    try {
      const response = await send(AbortSignal.timeout(5000));
      outcome.status = response.status;
      outcome.contentType = response.headers.get('content-type') ?? '';
      outcome.retryAfter = response.headers.get('retry-after');
      outcome.body = await response.text();
    } catch {
      // Status 0 marks a hang or a broken connection. The checks below reject both.
    }
    outcome.elapsedMs = performance.now() - started;
    outcomes.push(outcome);
    return outcome;
  };

  const createLoop = async () => {
    while (!stopLoad) {
      const createdIn = phase;
      const outcome = await record('create', (signal) =>
        fetch(askgate.apiUrl + '/v1/challenges', {
          method: 'POST',
          headers: { authorization: `Bearer ${askgate.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(sampleChallenge()),
          signal,
        }),
      );
      if (outcome.status === 201) pages.push({ url: (JSON.parse(outcome.body) as { url: string }).url, phase: createdIn });
      await Bun.sleep(clientPauseMs);
    }
  };

  const pageLoop = async () => {
    while (!stopLoad) {
      // The newest page, so that after recovery the load moves to challenges the new Redis holds.
      const page = pages[pages.length - 1] as { url: string; phase: Phase };
      await record('page', (signal) => fetch(page.url, { signal }), page.phase !== 'recovered');
      await Bun.sleep(clientPauseMs);
    }
  };

  const readyStatus = async () => {
    const response = await fetch(askgate.apiUrl + '/readyz', { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  };

  const load = [...Array.from({ length: createClients }, createLoop), ...Array.from({ length: pageClients }, pageLoop)];
  await Bun.sleep(healthyMs);

  phase = 'outage';
  await disrupt();
  await Bun.sleep(outageMs / 2);
  const readyDuringOutage = await readyStatus();
  await Bun.sleep(outageMs / 2);

  await restore();
  phase = 'recovered';
  const recoveredAt = performance.now();
  let recoveryMs: number | null = null;
  while (recoveryMs === null && performance.now() - recoveredAt < recoveryLimitMs) {
    const created = outcomes.some((outcome) => outcome.phase === 'recovered' && outcome.kind === 'create' && outcome.status === 201);
    if (created) recoveryMs = performance.now() - recoveredAt;
    else await Bun.sleep(20);
  }
  // A little more load after recovery, so that pages of new challenges are read too.
  await Bun.sleep(500);
  const readyAfterRecovery = await readyStatus();
  stopLoad = true;
  await Promise.all(load);

  const count = (phaseName: Phase, status: number) => outcomes.filter((o) => o.phase === phaseName && o.status === status).length;
  console.info(
    `requests: ${outcomes.length}; 503 during outage: ${count('outage', 503)}; ` +
      `slowest: ${Math.round(Math.max(...outcomes.map((o) => o.elapsedMs)))} ms; first create after recovery: ${Math.round(recoveryMs ?? -1)} ms`,
  );
  return { outcomes, readyDuringOutage, readyAfterRecovery, recoveryMs };
}

/** Declares the checks shared by both kinds of outage. `lostAllowed` accepts 404 for pages that Redis lost. */
function describeOutageChecks(report: () => LoadReport, lostAllowed: boolean): void {
  test('no request hangs or fails', () => {
    const { outcomes } = report();
    expect(outcomes.filter((o) => o.phase === 'healthy' && o.kind === 'create' && o.status === 201).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.phase === 'outage' && o.status === 503).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status === 0).length).toBe(0);
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503).length).toBe(0);
    expect(Math.max(...outcomes.map((o) => o.elapsedMs))).toBeLessThan(maxRequestMs);
  });

  test('readyz follows redis', () => {
    expect(report().readyDuringOutage).toBe(503);
    expect(report().readyAfterRecovery).toBe(200);
  });

  test('creates recover without restart', () => {
    expect(report().recoveryMs).not.toBeNull();
    expect(report().recoveryMs ?? Infinity).toBeLessThan(recoveryLimitMs);
  });

  test('create replies are 201 or clean 503', () => {
    const creates = report().outcomes.filter((o) => o.kind === 'create');
    const unexpected = creates.filter((o) => o.status !== 201 && o.status !== 503);
    expect(unexpected.map((o) => `${o.phase} ${o.status}`)).toEqual([]);

    const unavailable = creates.filter((o) => o.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const reply of unavailable) {
      expect(reply.contentType).toStartWith('application/problem+json');
      expect((JSON.parse(reply.body) as { code: string }).code).toBe('store_unavailable');
      expect(reply.retryAfter).toMatch(/^\d+$/);
    }
    expect(creates.filter((o) => o.phase === 'recovered' && o.status === 201).length).toBeGreaterThan(0);
  });

  test('page replies are 200 or clean 503', () => {
    const pageReplies = report().outcomes.filter((o) => o.kind === 'page');
    // A killed Redis without persistence comes back empty, so pages created before are unknown
    // (404). A request sent late in the outage may already reach the new Redis.
    const lost = (o: Outcome) => lostAllowed && o.phase !== 'healthy' && o.tokenFromBeforeOutage && o.status === 404;
    const unexpected = pageReplies.filter((o) => o.status !== 200 && o.status !== 503 && !lost(o));
    expect(unexpected.map((o) => `${o.phase} ${o.status}`)).toEqual([]);

    const unavailable = pageReplies.filter((o) => o.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const reply of unavailable) {
      expect(reply.contentType).toStartWith('text/html');
      expect(reply.body.toLowerCase()).toContain('temporarily unavailable');
      expect(reply.retryAfter).toMatch(/^\d+$/);
    }
    expect(pageReplies.filter((o) => o.phase === 'recovered' && o.status === 200).length).toBeGreaterThan(0);
  });
}

describe('redis killed and restarted under load', () => {
  const redis = new OwnRedisServer(freePort());
  let askgate: Askgate;
  let report: LoadReport;

  beforeAll(async () => {
    await redis.start();
    askgate = await startAskgate({ ASKGATE_STORE: redis.url, ASKGATE_CREATE_RATE_PER_MINUTE: unlimitedCreates });
    report = await runLoadAcrossOutage(
      askgate,
      () => redis.stop(),
      () => redis.start(),
    );
  }, 30_000);

  afterAll(async () => {
    await askgate?.stop({ graceMs: 1000 });
    await redis.stop();
  });

  describeOutageChecks(() => report, true);
});

describe('redis frozen under load', () => {
  const redis = new OwnRedisServer(freePort());
  let askgate: Askgate;
  let report: LoadReport;

  beforeAll(async () => {
    await redis.start();
    askgate = await startAskgate({ ASKGATE_STORE: redis.url, ASKGATE_CREATE_RATE_PER_MINUTE: unlimitedCreates });
    // SIGSTOP keeps the connections open but unanswered, so every command runs into its timeout.
    report = await runLoadAcrossOutage(
      askgate,
      async () => redis.signal('SIGSTOP'),
      async () => redis.signal('SIGCONT'),
    );
  }, 30_000);

  afterAll(async () => {
    redis.signal('SIGCONT');
    await askgate?.stop({ graceMs: 1000 });
    await redis.stop();
  });

  describeOutageChecks(() => report, false);
});
