import type { DeliveryOutcome } from '../store/store.ts';
import { MetricsRegistry, type Counter, type Histogram } from './metrics.ts';

/** Terminal status of a finished challenge. */
export type FinishedStatus = 'passed' | 'failed' | 'expired' | 'canceled';

/**
 * Result of one checked submission: `right` and `wrong` used an attempt, `ended` arrived after
 * the challenge had already finished and used none.
 */
export type AttemptOutcome = 'right' | 'wrong' | 'ended';

/**
 * Result of one webhook delivery try, as the store records it: `pending` is a failed try that
 * will be retried, `dead` a failed last try.
 */
export type WebhookDeliveryOutcome = DeliveryOutcome['status'];

/** askgate's metrics, one set per running server. */
export interface AskgateMetrics {
  registry: MetricsRegistry;
  challengesCreated: Counter<'tenant'>;
  challengesFinished: Counter<'tenant' | 'status'>;
  attempts: Counter<'tenant' | 'outcome'>;
  /** Incremented by the delivery worker with a WebhookDeliveryOutcome. */
  webhookDeliveries: Counter<'outcome'>;
  /** Store calls that threw, by method name (`createChallenge`, `ping`, …). */
  storeErrors: Counter<'operation'>;
  /** `route` is the route pattern (`/c/:token`), never the requested path. */
  httpRequestDuration: Histogram<'listener' | 'route' | 'method' | 'status'>;
}

/** Creates a fresh registry holding askgate's metrics. */
export function createAskgateMetrics(): AskgateMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    challengesCreated: registry.counter('askgate_challenges_created_total', 'Challenges created.', ['tenant']),
    challengesFinished: registry.counter(
      'askgate_challenges_finished_total',
      'Challenges that reached a terminal state (passed, failed, expired, canceled) in this process.',
      ['tenant', 'status'],
    ),
    attempts: registry.counter('askgate_attempts_total', 'Checked answer submissions, by outcome (right, wrong, ended).', ['tenant', 'outcome']),
    webhookDeliveries: registry.counter('askgate_webhook_deliveries_total', 'Webhook delivery tries, by outcome (delivered, pending = will be retried, dead).', ['outcome']),
    storeErrors: registry.counter('askgate_store_errors_total', 'Store calls that failed, by store method.', ['operation']),
    httpRequestDuration: registry.histogram(
      'askgate_http_request_duration_seconds',
      'Time from receiving a request to having its response, in seconds.',
      ['listener', 'route', 'method', 'status'],
    ),
  };
}
