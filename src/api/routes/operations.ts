import { Elysia, t } from 'elysia';
import { AppError } from '../../errors/app-error.ts';
import { buildProblem, problemResponse } from '../../errors/problem.ts';
import { requestIdOf } from '../../http/request-context.ts';
import { prometheusContentType, type MetricsRegistry } from '../../observability/metrics.ts';
import { constantTimeEqual, sha256 } from '../../security/digest.ts';
import type { ChallengeStore } from '../../store/store.ts';

export interface OperationsRoutesOptions {
  store: ChallengeStore;
  metrics: MetricsRegistry;
  /** Bearer token that /metrics requires; null leaves it open. */
  metricsToken: string | null;
}

/** Liveness, readiness and Prometheus metrics, for load balancers and monitoring. */
export function operationsRoutes(options: OperationsRoutesOptions) {
  const tokenHash = options.metricsToken === null ? null : sha256(options.metricsToken);

  return new Elysia({ name: 'askgate-operations' })
    .get('/healthz', () => ({ status: 'ok' }), {
      detail: { summary: 'Liveness', description: 'Returns 200 while the process runs.', tags: ['health'] },
    })
    .get(
      '/readyz',
      async ({ request }) => {
        try {
          await options.store.ping();
        } catch {
          // The instrumented store has already logged and counted the failure.
          const problem = buildProblem('store_unavailable', 'The data store cannot be reached, so askgate cannot serve requests.', requestIdOf(request));
          return problemResponse(problem, { 'retry-after': '2' });
        }
        return { status: 'ready' };
      },
      {
        detail: { summary: 'Readiness', description: 'Returns 200 when the store can be reached, else 503 with a problem document.', tags: ['health'] },
      },
    )
    .get(
      '/metrics',
      ({ request }) => {
        if (tokenHash !== null) checkBearer(request.headers.get('authorization'), tokenHash);
        return new Response(options.metrics.render(), { headers: { 'content-type': prometheusContentType, 'cache-control': 'no-store' } });
      },
      {
        response: { 200: t.String({ description: 'Prometheus text exposition format 0.0.4.' }) },
        detail: {
          summary: 'Prometheus metrics',
          description: 'Counters of challenges, attempts, webhook deliveries and store errors, and a histogram of request durations. When ASKGATE_METRICS_TOKEN is set, send it as "Authorization: Bearer <token>".',
          tags: ['health'],
        },
      },
    );
}

/** Throws `unauthorized` unless the header carries the metrics token; hashes make the comparison constant-time. */
function checkBearer(authorization: string | null, tokenHash: string): void {
  const presented = authorization === null ? null : /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (presented === undefined || presented === null || !constantTimeEqual(sha256(presented), tokenHash)) {
    throw new AppError('unauthorized', 'GET /metrics needs "Authorization: Bearer <metrics token>" (ASKGATE_METRICS_TOKEN).');
  }
}
