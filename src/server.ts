import type { Server } from 'bun';
import { createApiApp, lastResortProblem } from './api/app.ts';
import type { Challenge } from './challenge/challenge.ts';
import { ChallengeService } from './challenge/challenge-service.ts';
import { defaultPublicUrl, type Config } from './config/config.ts';
import { activeSigningSecrets, type SigningSecretSet } from './delivery/signing-secrets.ts';
import { WebhookWorker } from './delivery/webhook-worker.ts';
import { limitRequestBody } from './http/body-limit.ts';
import { requestIdOf, setPeerAddressLookup } from './http/request-context.ts';
import { apiContentSecurityPolicy, applyHeaders, baseSecurityHeaders, removeBannerHeaders, strictTransportSecurity } from './http/security-headers.ts';
import { runWithLogContext } from './log/log-context.ts';
import type { LogFields, Logger } from './log/logger.ts';
import { createAskgateMetrics, type AskgateMetrics } from './observability/askgate-metrics.ts';
import { countExpired, instrumentStore } from './observability/instrumented-store.ts';
import { createRouteLabeler, unmatchedRoute } from './observability/route-label.ts';
import { abuseLimitsFrom } from './security/abuse-limits.ts';
import { generateApiKey } from './security/api-keys.ts';
import { sha256 } from './security/digest.ts';
import { checkOutboundUrl } from './security/outbound-guard.ts';
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
  metrics: AskgateMetrics;
  /** The generated development key, when no ASKGATE_API_KEY was configured. */
  developmentApiKey: string | null;
  webhookWorker: WebhookWorker;
  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs` (default
   * ASKGATE_SHUTDOWN_GRACE_MS), waits as long for event deliveries in flight, then closes the
   * store. A second call returns the first call's promise.
   */
  stop: (options?: { graceMs?: number }) => Promise<void>;
}

/** Parts a caller supplies instead of the ones built from the configuration; for tests. */
export interface ServerOverrides {
  store?: ChallengeStore;
}

const httpMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

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
  const metrics = createAskgateMetrics();
  const countExpiry = countExpired(metrics);
  const onChallengeExpired = (challenge: Challenge) => {
    countExpiry(challenge);
    logger.info('challenge expired', { tenant: challenge.tenantId, challenge_id: challenge.id, attempts: challenge.attempts });
  };
  const opened = overrides.store ?? (await openStore(config, logger, { onChallengeExpired }));
  const store = instrumentStore(opened, metrics, logger);
  logger.info('store opened', {
    store: overrides.store ? 'supplied by the caller' : describeStore(config.store),
    ...(config.store.startsWith('redis') && overrides.store === undefined ? { redis_prefix: config.redisPrefix } : {}),
  });
  if (!config.allowPrivateOutbound) void warnAboutPrivateTargets(config, logger);
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
    returnUrlAllowLoopbackHttp: config.returnUrlAllowLoopbackHttp,
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
  // Route patterns are known once the apps exist; until then every request is "unmatched".
  const routeLabelers: Record<string, (path: string) => string> = { api: () => unmatchedRoute, web: () => unmatchedRoute };

  let stopping: Promise<void> | null = null;
  const tlsHeaders: Record<string, string> = config.tls ? { 'strict-transport-security': strictTransportSecurity } : {};
  const listen = (
    port: number,
    handle: (request: Request) => Promise<Response> | Response,
    lastResort: (request: Request) => Response,
    extraHeaders: Record<string, string>,
    name: string,
  ): Server<undefined> => {
    // The same for every response of this listener, so built once instead of per request.
    const listenerHeaders = Object.entries({ ...baseSecurityHeaders, ...tlsHeaders, ...extraHeaders });
    return Bun.serve({
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
        // requestIP needs the request that Bun.serve received, not a copy made by limitRequestBody.
        // The address stays readable after the client closes its socket: see "closed sockets still
        // count" in test/security/rate-limits.test.ts.
        setPeerAddressLookup(request, () => server.requestIP(received)?.address ?? null);
        const requestId = requestIdOf(request);
        // Every line logged while the request runs carries these fields; the API adds the tenant to this object.
        const context: LogFields = { listener: name, request_id: requestId };

        let response: Response;
        try {
          response = await runWithLogContext(context, () => handle(request));
        } catch (error) {
          logger.error('request failed outside the app error handler', { ...context, error: error instanceof Error ? error.name : 'unknown' });
          response = lastResort(request);
        }
        const headers = response.headers;
        removeBannerHeaders(headers);
        applyHeaders(headers, listenerHeaders);
        if (!headers.has('x-request-id')) headers.set('x-request-id', requestId);
        // Once a stop has begun, clients are told not to reuse the connection for another request.
        if (stopping !== null) headers.set('connection', 'close');

        const seconds = (performance.now() - started) / 1000;
        // Paths hold page tokens and challenge ids, so logs and labels carry the route pattern only.
        const route = routeLabelers[name]?.(new URL(request.url).pathname) ?? unmatchedRoute;
        const method = httpMethods.has(request.method) ? request.method : 'other';
        metrics.httpRequestDuration.observe({ listener: name, route, method, status: String(response.status) }, seconds);
        logger.debug('request', {
          ...context,
          method,
          route,
          status: response.status,
          duration_ms: Math.round(seconds * 10000) / 10,
        });
        return response;
      },
      error: (error) => {
        logger.error('unhandled server error', { listener: name, error: error.name });
        const response = lastResort(new Request('http://askgate.invalid/'));
        applyHeaders(response.headers, listenerHeaders);
        return response;
      },
    });
  };

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
    metrics: metrics.registry,
    metricsToken: config.metricsToken,
  });
  routeLabelers.web = createRouteLabeler(web.routes.map((route) => route.path));
  routeLabelers.api = createRouteLabeler(api.routes.map((route) => route.path));
  webhookWorker.start();

  const scheme = config.tls ? 'https' : 'http';
  const shownHost = (hostname: string | undefined) => (hostname && hostname.includes(':') ? `[${hostname}]` : hostname);
  return {
    apiUrl: `${scheme}://${shownHost(apiServer.hostname)}:${apiServer.port}`,
    webUrl: `${scheme}://${shownHost(webServer.hostname)}:${webServer.port}`,
    publicUrl,
    store,
    metrics,
    developmentApiKey,
    webhookWorker,
    stop: (options = {}) => {
      const graceMs = options.graceMs ?? config.shutdownGraceMs;
      stopping ??= stopListeners([apiServer, webServer], graceMs, logger)
        .then(() => webhookWorker.stop(graceMs))
        .then(() => store.close());
      return stopping;
    },
  };
}

/**
 * Stops accepting new connections at once and waits for requests in flight; after `graceMs`,
 * closes the connections that still have one.
 */
async function stopListeners(servers: Server<undefined>[], graceMs: number, logger: Logger): Promise<void> {
  const inFlight = servers.reduce((sum, server) => sum + server.pendingRequests, 0);
  logger.info('stopping listeners', { requests_in_flight: inFlight, grace_ms: graceMs });

  const drained = Promise.all(servers.map((server) => server.stop(false)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const graceOver = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const finished = await Promise.race([drained.then(() => true as const), graceOver]);
  clearTimeout(timer);
  if (finished) return;

  const cut = servers.reduce((sum, server) => sum + server.pendingRequests, 0);
  logger.warn('shutdown grace period over: closing connections with requests in flight', { requests_cut: cut, grace_ms: graceMs });
  await Promise.all(servers.map((server) => server.stop(true)));
}

/**
 * Warns when the configured webhook or validation URL points to an address that the outbound
 * guard refuses, because every request to it would then fail and only the event log would show
 * why. Runs in the background, so a slow DNS lookup does not delay start-up.
 */
async function warnAboutPrivateTargets(config: Config, logger: Logger): Promise<void> {
  const targets = [
    ['ASKGATE_WEBHOOK_URL', config.webhookUrl],
    ['ASKGATE_VALIDATION_API_URL', config.validationApiUrl],
  ] as const;
  for (const [variable, url] of targets) {
    if (url === null) continue;
    const decision = await checkOutboundUrl(url, { allowHosts: null, allowPrivate: false });
    if (!decision.allowed && decision.reason === 'forbidden_address') {
      logger.warn(`${variable} points to a loopback, private or metadata address, which askgate refuses to call; set ASKGATE_ALLOW_PRIVATE_OUTBOUND=true if that receiver is yours`, { variable, detail: decision.detail });
    }
  }
}
