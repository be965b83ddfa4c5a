import type { Server } from 'bun';
import { createApiApp, lastResortProblem } from './api/app.ts';
import { ChallengeService } from './challenge/challenge-service.ts';
import { defaultPublicUrl, type Config } from './config/config.ts';
import { activeSigningSecrets, type SigningSecretSet } from './delivery/signing-secrets.ts';
import { WebhookWorker } from './delivery/webhook-worker.ts';
import { limitRequestBody } from './http/body-limit.ts';
import { requestIdOf, setPeerAddress } from './http/request-context.ts';
import { apiContentSecurityPolicy, applyHeaders, baseSecurityHeaders, removeBannerHeaders, strictTransportSecurity } from './http/security-headers.ts';
import type { Logger } from './log/logger.ts';
import { abuseLimitsFrom } from './security/abuse-limits.ts';
import { generateApiKey } from './security/api-keys.ts';
import { sha256 } from './security/digest.ts';
import { randomBase64Url } from './security/random.ts';
import { deriveSigningSecret } from './security/signature.ts';
import { describeStore, openStore } from './store/open-store.ts';
import type { ChallengeStore } from './store/store.ts';
import { version } from './version.ts';
import { createWebApp, lastResortPage } from './web/app.tsx';

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

/** Parts a caller supplies instead of the ones built from the configuration; for tests. */
export interface ServerOverrides {
  store?: ChallengeStore;
}

/**
 * Starts the API and the customer page as two listeners in this process, sharing one store
 * and one challenge service.
 */
export async function startServer(config: Config, logger: Logger, overrides: ServerOverrides = {}): Promise<RunningServer> {
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
  const bootstrapKeyHash = sha256(apiKey);
  const adminKeyHash = config.adminKey === null ? null : sha256(config.adminKey);
  const limits = abuseLimitsFrom(config);

  const secretSet: SigningSecretSet = {
    current: config.webhookSecret ?? deriveSigningSecret(secret),
    previous: config.webhookSecretPrevious,
    previousUntil: config.webhookSecretPreviousUntil,
  };
  const signingSecrets = () => activeSigningSecrets(secretSet, Date.now());
  const store = overrides.store ?? (await openStore(config, logger));
  logger.info('store opened', { store: overrides.store ? 'supplied by the caller' : describeStore(config.store) });
  const webhookWorker = new WebhookWorker({
    store,
    logger: logger.child({ component: 'webhooks' }),
    signingSecrets,
    timeoutMs: config.webhookTimeoutMs,
    retryScheduleSeconds: config.webhookRetryScheduleSeconds,
    outbound: { defaultUrl: config.webhookUrl, allowHosts: config.webhookUrlHosts, allowPrivate: config.allowPrivateOutbound },
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
    clientFailures: { max: config.clientFailuresMax, windowSeconds: config.clientFailuresWindowSeconds },
    allowPrivateOutbound: config.allowPrivateOutbound,
  });

  // The web listener starts first, so that a port of 0 (any free port) is known before links are built.
  let web: ReturnType<typeof createWebApp> | null = null;
  let api: ReturnType<typeof createApiApp> | null = null;

  const tlsHeaders: Record<string, string> = config.tls ? { 'strict-transport-security': strictTransportSecurity } : {};
  const listen = (
    port: number,
    handle: (request: Request) => Promise<Response> | Response,
    lastResort: (request: Request) => Response,
    extraHeaders: Record<string, string>,
    name: string,
  ): Server<undefined> =>
    Bun.serve({
      hostname: config.host,
      port,
      // Bun would reply to an over-long body with an empty 413 before askgate sees the request, so
      // its own limit is set out of reach. limitRequestBody and the apps enforce maxRequestBodyBytes.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
      tls: config.tls ? { cert: config.tls.cert, key: config.tls.key } : undefined,
      development: false,
      fetch: async (received, server) => {
        const started = performance.now();
        const request = await limitRequestBody(received);
        const peer = server.requestIP(received);
        if (peer !== null) setPeerAddress(request, peer.address);
        const requestId = requestIdOf(request);

        let response: Response;
        try {
          response = await handle(request);
        } catch (error) {
          logger.error('request failed outside the app error handler', { listener: name, request_id: requestId, error: error instanceof Error ? error.name : 'unknown' });
          response = lastResort(request);
        }
        removeBannerHeaders(response.headers);
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
        const response = lastResort(new Request('http://askgate.invalid/'));
        applyHeaders(response.headers, { ...baseSecurityHeaders, ...tlsHeaders, ...extraHeaders });
        return response;
      },
    });

  const notReady = () => new Response('Starting', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' } });
  const webServer = listen(config.webPort, (request) => (web ? web.handle(request) : notReady()), () => lastResortPage(), {}, 'web');
  let apiServer: Server<undefined>;
  try {
    apiServer = listen(
      config.apiPort,
      (request) => (api ? api.handle(request) : notReady()),
      (request) => lastResortProblem(requestIdOf(request)),
      { 'content-security-policy': apiContentSecurityPolicy },
      'api',
    );
  } catch (error) {
    webServer.stop(true);
    throw error;
  }

  const publicUrl = config.publicUrl ?? defaultPublicUrl(config.host, webServer.port ?? config.webPort, config.tls !== null);
  web = createWebApp({ service, store, secret, publicUrl, defaultLocale: config.defaultLocale, tenants: config.tenants, logger, limits });
  api = createApiApp({
    service,
    store,
    bootstrapKeyHash,
    adminKeyHash,
    publicUrl,
    logger,
    version,
    limits,
    onRedeliver: () => webhookWorker.nudge(),
  });
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
  if (path.startsWith('/admin/v1/keys/')) return '/admin/v1/keys/:id';
  return path.length > 64 ? path.slice(0, 64) : path;
}
