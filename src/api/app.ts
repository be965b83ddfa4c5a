import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import type { ChallengeService } from '../challenge/challenge-service.ts';
import { AppError } from '../errors/app-error.ts';
import { buildProblem, problemResponse } from '../errors/problem.ts';
import { isBodyTooLarge, maxRequestBodyBytes } from '../http/body-limit.ts';
import { toAppError } from '../http/error-mapping.ts';
import { StoreUnavailableError } from '../store/store-errors.ts';
import { RepeatLimiter } from '../log/repeat-limiter.ts';
import { requestIdOf } from '../http/request-context.ts';
import { isRouteMismatch, methodsByPath, servedMethods, unmatchedRouteError } from '../http/route-methods.ts';
import { addToLogContext } from '../log/log-context.ts';
import type { Logger } from '../log/logger.ts';
import type { MetricsRegistry } from '../observability/metrics.ts';
import type { AbuseLimits } from '../security/abuse-limits.ts';
import type { ApiCaller } from '../security/api-keys.ts';
import type { ChallengeStore } from '../store/store.ts';
import { authenticateAdmin, authenticateApiKey } from './auth.ts';
import { docsRoutes } from './docs.ts';
import { eventIdParams, eventListQuery } from './event-models.ts';
import { challengeIdParams, confirmBody, createChallengeBody, idempotencyHeaders } from './models.ts';
import { adminRoutes, createKeyBody, keyIdParams, listKeysQuery } from './routes/admin.ts';
import { challengeRoutes } from './routes/challenges.ts';
import { eventRoutes } from './routes/events.ts';
import { operationsRoutes } from './routes/operations.ts';

export interface ApiAppOptions {
  service: ChallengeService;
  store: ChallengeStore;
  /** SHA-256 of ASKGATE_API_KEY, the key of tenant "default"; null when only stored keys work. */
  bootstrapKeyHash: string | null;
  /** SHA-256 of ASKGATE_ADMIN_KEY. Null turns the admin API off, and its routes then return 404. */
  adminKeyHash: string | null;
  publicUrl: string;
  logger: Logger;
  version: string;
  limits: AbuseLimits;
  /** Called after an event was made due again, so that delivery starts at once. */
  onRedeliver?: () => void;
  metrics: MetricsRegistry;
  /** Bearer token that /metrics requires; null leaves it open. */
  metricsToken: string | null;
}

/** Schemas whose field names validation errors may repeat; see `toAppError`. */
const requestSchemas = [
  createChallengeBody,
  challengeIdParams,
  idempotencyHeaders,
  confirmBody,
  eventListQuery,
  eventIdParams,
  createKeyBody,
  listKeysQuery,
  keyIdParams,
];

const description = `askgate lets a chat bot ask a customer a known question on a one-time web page instead of
inside the chat, then sends the customer back to the chat with a neutral return code.

It is a step-up check on top of the possession of the chat account, not an authenticator on
its own. Every /v1 route needs \`Authorization: Bearer <api key>\`. Errors are
application/problem+json documents with a stable \`code\`.`;

/** Builds the bot-facing API: challenges under /v1, docs, OpenAPI, health checks and metrics. */
export function createApiApp(options: ApiAppOptions) {
  // An outage fails every request; one warning per 10 seconds says so without flooding the log.
  const storeOutageLogs = new RepeatLimiter();
  const { store, logger } = options;
  const callers = new WeakMap<Request, ApiCaller>();
  const callerOf = (request: Request): ApiCaller => {
    const caller = callers.get(request);
    if (caller === undefined) throw new AppError('unauthorized', 'The request was not authenticated.');
    return caller;
  };
  const tenantOf = (request: Request): string => callerOf(request).tenantId;
  const allowedMethods = methodsByPath(() => app.routes);

  // normalize: false makes unknown fields a 400 instead of silently dropping them (the schemas say additionalProperties: false).
  const app = new Elysia({ name: 'askgate-api', normalize: false })
    .onRequest(async ({ request }) => {
      if (!servedMethods.has(request.method)) {
        throw new AppError('method_not_allowed', 'This method is not supported. See /docs for the methods of each route.');
      }

      // Authentication comes first, before the body is parsed or validated.
      const path = new URL(request.url).pathname;
      const log = logger.child({ request_id: requestIdOf(request) });
      if (path === '/v1' || path.startsWith('/v1/')) {
        const caller = await authenticateApiKey(request.headers.get('authorization'), store, options.bootstrapKeyHash, log);
        callers.set(request, caller);
        addToLogContext({ tenant: caller.tenantId });
      } else if (options.adminKeyHash !== null && path.startsWith('/admin/')) {
        authenticateAdmin(request.headers.get('authorization'), options.adminKeyHash, log);
      }

      if (isBodyTooLarge(request)) {
        throw new AppError('payload_too_large', `The request body is larger than ${maxRequestBodyBytes} bytes, the most askgate accepts.`);
      }
    })
    .onError(({ code, error, request }) => {
      const requestId = requestIdOf(request);
      const appError = isRouteMismatch(code, error) ? unmatchedRouteError(request, allowedMethods) : toAppError(code, error, requestSchemas);
      if (appError === null) {
        options.logger.error('request failed', {
          request_id: requestId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(code),
        });
        return lastResortProblem(requestId);
      }
      if (error instanceof StoreUnavailableError) {
        const suppressed = storeOutageLogs.admit('api');
        if (suppressed !== null) options.logger.warn('request failed: store unavailable', { request_id: requestId, reason: error.reason, repeats_suppressed: suppressed });
      }
      const headers: Record<string, string> = {};
      if (appError.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="askgate"';
      if (appError.code === 'method_not_allowed') headers.allow = allowedMethods(new URL(request.url).pathname).join(', ');
      if (appError.retryAfterSeconds !== null) headers['retry-after'] = String(appError.retryAfterSeconds);
      return problemResponse(buildProblem(appError.code, appError.message, requestId, appError.errors), headers);
    })
    .use(
      openapi({
        provider: null,
        specPath: '/openapi.json',
        documentation: {
          info: { title: 'askgate API', version: options.version, description },
          tags: [
            { name: 'challenges', description: 'Create, read and cancel verification challenges.' },
            { name: 'events', description: 'Result events: the webhook delivery log, polling and redelivery.' },
            { name: 'health', description: 'Liveness and readiness for load balancers, and Prometheus metrics.' },
            ...(options.adminKeyHash === null ? [] : [{ name: 'admin', description: 'Manage API keys. Needs ASKGATE_ADMIN_KEY.' }]),
          ],
          components: {
            securitySchemes: {
              bearer: { type: 'http', scheme: 'bearer', description: 'An API key (ak_…).' },
              ...(options.adminKeyHash === null ? {} : { admin: { type: 'http', scheme: 'bearer', description: 'The admin key, ASKGATE_ADMIN_KEY.' } }),
            },
          },
        },
        exclude: { paths: ['/docs', '/docs/init.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/openapi.json'] },
      }),
    )
    .use(docsRoutes())
    .use(operationsRoutes({ store, metrics: options.metrics, metricsToken: options.metricsToken }))
    .use(
      challengeRoutes({
        service: options.service,
        store,
        publicUrl: options.publicUrl,
        tenantOf,
        callerOf,
        logger,
        createPerMinute: options.limits.createPerMinute,
      }),
    )
    .use(eventRoutes({ store, tenantOf, onRedeliver: options.onRedeliver }))
    .use(options.adminKeyHash === null ? new Elysia({ name: 'askgate-admin-off' }) : adminRoutes({ store, logger }));
  return app;
}

/** Builds the reply to an unexpected error: a bland problem document with the request id and no details. */
export function lastResortProblem(requestId: string): Response {
  return problemResponse(buildProblem('internal_error', 'askgate could not complete the request. Try again; if it persists, report the request_id to the operator.', requestId));
}

export type ApiApp = ReturnType<typeof createApiApp>;
