import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApiApp } from '../../src/api/app.ts';
import { ChallengeService } from '../../src/challenge/challenge-service.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { createAskgateMetrics } from '../../src/observability/askgate-metrics.ts';
import { instrumentStore } from '../../src/observability/instrumented-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { sampleChallenge, startAskgate, submitAnswer, testSecret, type Askgate } from '../support/harness.ts';

const metricsToken = 'metrics-token-' + 'm'.repeat(24);

/** Returns the value of one sample line of a Prometheus text document; null when absent. */
function sampleValue(text: string, series: string): number | null {
  const line = text.split('\n').find((candidate) => candidate.startsWith(series + ' '));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate();
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('serves text format 0.0.4', async () => {
    const response = await fetch(`${askgate.apiUrl}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE askgate_challenges_created_total counter');
    expect(text).toContain('# TYPE askgate_challenges_finished_total counter');
    expect(text).toContain('# TYPE askgate_attempts_total counter');
    expect(text).toContain('# TYPE askgate_webhook_deliveries_total counter');
    expect(text).toContain('# TYPE askgate_store_errors_total counter');
    expect(text).toContain('# TYPE askgate_http_request_duration_seconds histogram');
  });

  test('counts a challenge life cycle', async () => {
    const passed = await askgate.createChallenge(sampleChallenge({ max_attempts: 3 }));
    expect((await submitAnswer(passed.url, { answer: 'wrong' })).status).toBe(200);
    expect((await submitAnswer(passed.url, { answer: '1990-04-12' })).status).toBe(200);

    const failed = await askgate.createChallenge(sampleChallenge({ max_attempts: 1 }));
    expect((await submitAnswer(failed.url, { answer: 'wrong' })).status).toBe(200);

    const canceled = await askgate.createChallenge(sampleChallenge());
    expect((await askgate.api(`/v1/challenges/${canceled.id}`, { method: 'DELETE' })).status).toBe(200);

    const expired = await askgate.createChallenge(sampleChallenge());
    expect(await askgate.store.expireDue(Date.now() + 86_400_000)).toBe(1);
    expect((await askgate.api(`/v1/challenges/${expired.id}`)).status).toBe(200);

    const text = await (await fetch(`${askgate.apiUrl}/metrics`)).text();
    expect(sampleValue(text, 'askgate_challenges_created_total{tenant="default"}')).toBe(4);
    expect(sampleValue(text, 'askgate_challenges_finished_total{tenant="default",status="passed"}')).toBe(1);
    expect(sampleValue(text, 'askgate_challenges_finished_total{tenant="default",status="failed"}')).toBe(1);
    expect(sampleValue(text, 'askgate_challenges_finished_total{tenant="default",status="canceled"}')).toBe(1);
    expect(sampleValue(text, 'askgate_challenges_finished_total{tenant="default",status="expired"}')).toBe(1);
    expect(sampleValue(text, 'askgate_attempts_total{tenant="default",outcome="right"}')).toBe(1);
    expect(sampleValue(text, 'askgate_attempts_total{tenant="default",outcome="wrong"}')).toBe(2);
  });

  test('labels durations by route pattern', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const token = new URL(created.url).pathname.slice('/c/'.length);
    expect((await fetch(created.url)).status).toBe(200);
    expect((await askgate.api(`/v1/challenges/${created.id}`)).status).toBe(200);
    expect((await fetch(`${askgate.apiUrl}/no/such/route`)).status).toBe(404);

    const text = await (await fetch(`${askgate.apiUrl}/metrics`)).text();
    expect(text).toContain('askgate_http_request_duration_seconds_count{listener="web",route="/c/:token",method="GET",status="200"}');
    expect(text).toContain('askgate_http_request_duration_seconds_count{listener="api",route="/v1/challenges/:id",method="GET",status="200"}');
    expect(text).toContain('askgate_http_request_duration_seconds_count{listener="api",route="/v1/challenges",method="POST",status="201"}');
    expect(text).toContain('askgate_http_request_duration_seconds_count{listener="api",route="unmatched",method="GET",status="404"}');
    expect(text).not.toContain(token);
    expect(text).not.toContain(created.id);
    expect(text).not.toContain('/no/such/route');
  });
});

describe('GET /metrics with a token', () => {
  let askgate: Askgate;

  beforeAll(async () => {
    askgate = await startAskgate({ ASKGATE_METRICS_TOKEN: metricsToken });
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('rejects a missing token', async () => {
    const response = await fetch(`${askgate.apiUrl}/metrics`);

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toStartWith('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="askgate"');
  });

  test('rejects a wrong token', async () => {
    const response = await fetch(`${askgate.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}x` } });

    expect(response.status).toBe(401);
  });

  test('rejects the API key', async () => {
    const response = await fetch(`${askgate.apiUrl}/metrics`, { headers: { authorization: `Bearer ${askgate.apiKey}` } });

    expect(response.status).toBe(401);
  });

  test('accepts the token', async () => {
    const response = await fetch(`${askgate.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('askgate_challenges_created_total');
  });
});

describe('health routes', () => {
  test('healthz and readyz return 200', async () => {
    const askgate = await startAskgate();
    try {
      const health = await fetch(`${askgate.apiUrl}/healthz`);
      const ready = await fetch(`${askgate.apiUrl}/readyz`);

      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    } finally {
      await askgate.stop();
    }
  });

  test('readyz returns 503 when ping throws', async () => {
    /** A memory store whose backend has gone away, as a lost Redis connection would look. */
    class UnreachableStore extends MemoryStore {
      override async ping(): Promise<void> {
        throw new Error('connection refused');
      }
    }
    const metrics = createAskgateMetrics();
    const store = instrumentStore(new UnreachableStore({ retentionSeconds: 60, eventRetentionSeconds: 60 }), metrics, silentLogger);
    const service = new ChallengeService({
      store,
      secret: testSecret,
      logger: silentLogger,
      defaultExpiresInSeconds: 300,
      defaultValidationUrl: null,
      validationUrlHosts: [],
      validationTimeoutMs: 1000,
      defaultWhatsappDigits: null,
      returnUrlHosts: [],
      signingSecrets: () => [],
      createLimits: { maxPendingTotal: 10, maxPendingPerClient: 1 },
      defaultWebhookUrl: null,
      clientFailures: { max: 10, windowSeconds: 900 },
      allowPrivateOutbound: false,
    });
    const limits = { createPerMinute: 600, clientFailuresMax: 10, clientFailuresWindowSeconds: 900, pageSubmissionsPerMinute: 30, trustedProxies: [], allowPrivateOutbound: false };
    const app = createApiApp({
      service,
      store,
      bootstrapKeyHash: null,
      adminKeyHash: null,
      publicUrl: 'http://127.0.0.1:1',
      logger: silentLogger,
      version: 'test',
      limits,
      metrics: metrics.registry,
      metricsToken: null,
    });

    try {
      const response = await app.handle(new Request('http://127.0.0.1/readyz'));
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(response.headers.get('retry-after')).toBe('2');
      const problem = await response.json();
      expect(problem.code).toBe('store_unavailable');
      expect(problem.detail).not.toContain('connection refused');
      expect(metrics.storeErrors.get({ operation: 'ping' })).toBe(1);
    } finally {
      await store.close();
    }
  });
});
