import type { Challenge } from '../challenge/challenge.ts';
import type { Logger } from '../log/logger.ts';
import { RepeatLimiter } from '../log/repeat-limiter.ts';
import type { AttemptResult, CancelResult, ChallengeStore, CreateResult, DeliveryOutcome } from '../store/store.ts';
import type { AskgateMetrics } from './askgate-metrics.ts';

/**
 * Wraps a store so that every call that throws counts in `askgate_store_errors_total` and is
 * logged (one line per operation and error type every 10 seconds, with the count held back), and so that the challenge transitions the store reports back (creation, attempts,
 * passing, failing, canceling) count in the challenge metrics. The wrapper adds no behaviour:
 * results and errors pass through unchanged.
 *
 * Expiry is not counted here, because stores expire challenges on their own timers and sweeps
 * rather than in reply to a call: they report it through `StoreHooks.onChallengeExpired`, which
 * `countExpired` implements.
 */
export function instrumentStore(store: ChallengeStore, metrics: AskgateMetrics, logger: Logger): ChallengeStore {
  const observe = observerFor(metrics);
  const repeats = new RepeatLimiter();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;

      return async (...args: unknown[]) => {
        let result: unknown;
        try {
          result = await value.apply(target, args);
        } catch (error) {
          metrics.storeErrors.inc({ operation: property });
          // NOTE: only the error's name and message are logged; a store must keep passwords out of both.
          const errorText = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          const suppressed = repeats.admit(`${property}\n${error instanceof Error ? error.name : 'error'}`);
          if (suppressed !== null) logger.error('store call failed', { operation: property, error: errorText, repeats_suppressed: suppressed });
          throw error;
        }
        observe(property, args, result);
        return result;
      };
    },
  });
}

/** Counts a challenge that a store expired. Pass it as `onChallengeExpired` to a store. */
export function countExpired(metrics: AskgateMetrics): (challenge: Challenge) => void {
  return (challenge) => metrics.challengesFinished.inc({ tenant: challenge.tenantId, status: 'expired' });
}

function observerFor(metrics: AskgateMetrics): (operation: string, args: unknown[], result: unknown) => void {
  const finished = (challenge: Challenge) => {
    if (challenge.status === 'pending') return;
    metrics.challengesFinished.inc({ tenant: challenge.tenantId, status: challenge.status });
  };

  return (operation, args, result) => {
    switch (operation) {
      case 'createChallenge': {
        const created = result as CreateResult;
        if (!created.created) return;
        metrics.challengesCreated.inc({ tenant: (args[0] as Challenge).tenantId });
        for (const older of created.replaced) finished(older);
        return;
      }
      case 'recordDelivery': {
        metrics.webhookDeliveries.inc({ outcome: (args[2] as DeliveryOutcome).status });
        return;
      }
      case 'recordAttempt': {
        const attempt = result as AttemptResult;
        if (!attempt.recorded) {
          if (attempt.challenge !== null) metrics.attempts.inc({ tenant: attempt.challenge.tenantId, outcome: 'ended' });
          return;
        }
        const outcome = attempt.challenge.status === 'passed' ? 'right' : 'wrong';
        metrics.attempts.inc({ tenant: attempt.challenge.tenantId, outcome });
        finished(attempt.challenge);
        return;
      }
      case 'cancelChallenge': {
        const canceled = result as CancelResult;
        if (canceled.outcome === 'canceled') finished(canceled.challenge);
        return;
      }
    }
  };
}
