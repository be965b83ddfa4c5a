import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import type { ChallengeService } from '../challenge/challenge-service.ts';
import { AppError } from '../errors/app-error.ts';
import { buildProblem, problemResponse } from '../errors/problem.ts';
import { toAppError } from '../http/error-mapping.ts';
import { StoreUnavailableError } from '../store/store-errors.ts';
import { requestIdOf } from '../http/request-context.ts';
import type { Logger } from '../log/logger.ts';
import type { ChallengeStore } from '../store/store.ts';
import { authenticate, type ApiKeyRecord } from './auth.ts';
import { docsRoutes } from './docs.ts';
import { challengeRoutes } from './routes/challenges.ts';
import { eventRoutes } from './routes/events.ts';

export interface ApiAppOptions {
  service: ChallengeService;
  store: ChallengeStore;
  apiKeys: () => readonly ApiKeyRecord[];
  publicUrl: string;
  logger: Logger;
  version: string;
  /** Called after an event was made due again, so that delivery starts at once. */
  onRedeliver?: () => void;
}

const description = `askgate lets a chat bot ask a customer a known question on a one-time web page instead of
inside the chat, then sends the customer back to the chat with a neutral return code.

It is a step-up check on top of the possession of the chat account, not an authenticator on
its own. Every /v1 route needs \`Authorization: Bearer <api key>\`. Errors are
application/problem+json documents with a stable \`code\`.`;

/** Builds the bot-facing API: challenges under /v1, docs, OpenAPI and health checks. */
export function createApiApp(options: ApiAppOptions) {
  const tenants = new WeakMap<Request, string>();
  const tenantOf = (request: Request): string => {
    const tenant = tenants.get(request);
    if (tenant === undefined) throw new AppError('unauthorized', 'The request was not authenticated.');
    return tenant;
  };

  return new Elysia({ name: 'askgate-api' })
    .onRequest(({ request }) => {
      // Authentication comes first, before the body is parsed or validated.
      const path = new URL(request.url).pathname;
      if (path === '/v1' || path.startsWith('/v1/')) {
        tenants.set(request, authenticate(request.headers.get('authorization'), options.apiKeys()));
      }
    })
    .onError(({ code, error, request }) => {
      const requestId = requestIdOf(request);
      const appError = toAppError(code, error);
      if (appError === null) {
        options.logger.error('request failed', {
          request_id: requestId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(code),
        });
        return problemResponse(buildProblem('internal_error', 'askgate could not complete the request. Try again; if it persists, report the request_id to the operator.', requestId));
      }
      if (error instanceof StoreUnavailableError) {
        options.logger.warn('request failed: store unavailable', { request_id: requestId, reason: error.reason });
      }
      const headers: Record<string, string> = {};
      if (appError.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="askgate"';
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
            { name: 'health', description: 'Liveness and readiness for load balancers.' },
          ],
          components: {
            securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key (ak_…).' } },
          },
        },
        exclude: { paths: ['/docs', '/docs/init.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/openapi.json'] },
      }),
    )
    .use(docsRoutes())
    .get('/healthz', () => ({ status: 'ok' }), {
      detail: { summary: 'Liveness', description: 'Returns 200 while the process runs.', tags: ['health'] },
    })
    .get('/readyz', () => ({ status: 'ready' }), {
      detail: { summary: 'Readiness', description: 'Returns 200 when the store can be reached.', tags: ['health'] },
    })
    .use(challengeRoutes({ service: options.service, store: options.store, publicUrl: options.publicUrl, tenantOf }))
    .use(eventRoutes({ store: options.store, tenantOf, onRedeliver: options.onRedeliver }));
}

export type ApiApp = ReturnType<typeof createApiApp>;
