import type { Server } from 'bun';
import { createApiApp } from './api/app.ts';
import { generateApiKey, type ApiKeyRecord } from './api/auth.ts';
import { ChallengeService } from './challenge/challenge-service.ts';
import { defaultPublicUrl, type Config } from './config/config.ts';
import { activeSigningSecrets, type SigningSecretSet } from './delivery/signing-secrets.ts';
import { WebhookWorker } from './delivery/webhook-worker.ts';
import { requestIdOf } from './http/request-context.ts';
import { apiContentSecurityPolicy, applyHeaders, baseSecurityHeaders, strictTransportSecurity } from './http/security-headers.ts';
import type { Logger } from './log/logger.ts';
import { sha256 } from './security/digest.ts';
import { randomBase64Url } from './security/random.ts';
import { deriveSigningSecret } from './security/signature.ts';
import { describeStore, openStore } from './store/open-store.ts';
import type { ChallengeStore } from './store/store.ts';
import { version } from './version.ts';
import { createWebApp } from './web/app.tsx';

/** Largest request body either listener reads. */
export const maxRequestBodyBytes = 16 * 1024;

export interface RunningServer {
  apiUrl: string;
  webUrl: string;
  /** Base of the page links handed to bots. */
  publicUrl: string;
  store: ChallengeStore;
  /** The generated development key, when no ASKGATE_API_KEY was configured. */
  developmentApiKey: string | null;
  webhookWorker: WebhookWorker;
  /** Stops the listeners, waits up to ASKGATE_SHUTDOWN_GRACE_MS for event deliveries, then closes the store. */
  stop: () => Promise<void>;
}

/**
 * Starts the API and the customer page as two listeners in this process, sharing one store
 * and one challenge service.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  let secret = config.secret;
  if (secret === null) {
    secret = randomBase64Url(32);
    logger.warn('ASKGATE_SECRET is not set: using an ephemeral secret, so pending challenges cannot outlive this process');
  }

  let developmentApiKey: string | null = null;
  let apiKey = config.apiKey;
  if (apiKey === null) {
    developmentApiKey = generateApiKey();
    apiKey = developmentApiKey;
  }
  const apiKeys: ApiKeyRecord[] = [{ keyHash: sha256(apiKey), tenantId: 'default' }];

  const secretSet: SigningSecretSet = {
    current: config.webhookSecret ?? deriveSigningSecret(secret),
    previous: config.webhookSecretPrevious,
    previousUntil: config.webhookSecretPreviousUntil,
  };
  const signingSecrets = () => activeSigningSecrets(secretSet, Date.now());
  const store = await openStore(config, logger);
  logger.info('store opened', { store: describeStore(config.store) });
  const webhookWorker = new WebhookWorker({
    store,
    logger: logger.child({ component: 'webhooks' }),
    signingSecrets,
    timeoutMs: config.webhookTimeoutMs,
    retryScheduleSeconds: config.webhookRetryScheduleSeconds,
  });
  const service = new ChallengeService({
    store,
    secret,
    logger,
    defaultExpiresInSeconds: config.expirationSeconds,
    defaultValidationUrl: config.validationApiUrl,
    validationUrlHosts: config.validationUrlHosts,
    validationTimeoutMs: config.validationTimeoutMs,
    defaultWhatsappDigits: config.whatsappDigits,
    returnUrlHosts: config.returnUrlHosts,
    signingSecrets,
    createLimits: { maxPendingTotal: config.maxPending, maxPendingPerClient: config.maxPendingPerClient },
    defaultWebhookUrl: config.webhookUrl,
    webhookUrlHosts: config.webhookUrlHosts,
    confirmWindowSeconds: config.confirmWindowSeconds,
    onEventStored: () => webhookWorker.nudge(),
  });

  // The web listener starts first, so that a port of 0 (any free port) is known before links are built.
  let web: ReturnType<typeof createWebApp> | null = null;
  let api: ReturnType<typeof createApiApp> | null = null;

  const tlsHeaders: Record<string, string> = config.tls ? { 'strict-transport-security': strictTransportSecurity } : {};
  const listen = (port: number, handle: (request: Request) => Promise<Response> | Response, extraHeaders: Record<string, string>, name: string): Server<undefined> =>
    Bun.serve({
      hostname: config.host,
      port,
      maxRequestBodySize: maxRequestBodyBytes,
      tls: config.tls ? { cert: config.tls.cert, key: config.tls.key } : undefined,
      development: false,
      fetch: async (request) => {
        const started = performance.now();
        const response = await handle(request);
        const requestId = requestIdOf(request);
        applyHeaders(response.headers, { ...baseSecurityHeaders, ...tlsHeaders, ...extraHeaders, 'x-request-id': requestId });
        logger.debug('request', {
          listener: name,
          request_id: requestId,
          method: request.method,
          // The path of a page request holds the page token, so only the route is logged.
          route: routeOf(new URL(request.url).pathname),
          status: response.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
        return response;
      },
      error: (error) => {
        logger.error('unhandled server error', { listener: name, error: error.name });
        return new Response('Internal error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', ...baseSecurityHeaders } });
      },
    });

  const notReady = () => new Response('Starting', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' } });
  const webServer = listen(config.webPort, (request) => (web ? web.handle(request) : notReady()), {}, 'web');
  let apiServer: Server<undefined>;
  try {
    apiServer = listen(config.apiPort, (request) => (api ? api.handle(request) : notReady()), { 'content-security-policy': apiContentSecurityPolicy }, 'api');
  } catch (error) {
    webServer.stop(true);
    throw error;
  }

  const publicUrl = config.publicUrl ?? defaultPublicUrl(config.host, webServer.port ?? config.webPort, config.tls !== null);
  web = createWebApp({ service, secret, publicUrl, defaultLocale: config.defaultLocale, tenants: config.tenants, logger });
  api = createApiApp({ service, store, apiKeys: () => apiKeys, publicUrl, logger, version, onRedeliver: () => webhookWorker.nudge() });
  webhookWorker.start();

  const scheme = config.tls ? 'https' : 'http';
  const shownHost = (hostname: string | undefined) => (hostname && hostname.includes(':') ? `[${hostname}]` : hostname);
  return {
    apiUrl: `${scheme}://${shownHost(apiServer.hostname)}:${apiServer.port}`,
    webUrl: `${scheme}://${shownHost(webServer.hostname)}:${webServer.port}`,
    publicUrl,
    store,
    developmentApiKey,
    webhookWorker,
    stop: async () => {
      await Promise.all([apiServer.stop(), webServer.stop()]);
      await webhookWorker.stop(config.shutdownGraceMs);
      await store.close();
    },
  };
}

function routeOf(path: string): string {
  if (path.startsWith('/c/')) return '/c/:token';
  if (path.startsWith('/v1/challenges/')) return '/v1/challenges/:id';
  if (path.startsWith('/v1/events/')) return '/v1/events/:id';
  return path.length > 64 ? path.slice(0, 64) : path;
}
