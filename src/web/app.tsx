/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import { Elysia } from 'elysia';
import type { Challenge } from '../challenge/challenge.ts';
import type { ChallengeService } from '../challenge/challenge-service.ts';
import type { Locale } from '../config/config.ts';
import type { TenantDirectory } from '../config/tenants-file.ts';
import { buildDeepLink, fillReturnMessage } from '../delivery/deep-link.ts';
import { AppError } from '../errors/app-error.ts';
import { isBodyTooLarge } from '../http/body-limit.ts';
import { peerAddressOf, requestIdOf } from '../http/request-context.ts';
import { isRouteMismatch, methodsByPath, servedMethods } from '../http/route-methods.ts';
import { StoreUnavailableError } from '../store/store-errors.ts';
import { RepeatLimiter } from '../log/repeat-limiter.ts';
import { pageContentSecurityPolicy } from '../http/security-headers.ts';
import type { Logger } from '../log/logger.ts';
import { minutesToWait, rateLimitKeys, type AbuseLimits } from '../security/abuse-limits.ts';
import { clientAddressOf } from '../security/client-address.ts';
import { constantTimeEqual, hmacSha256 } from '../security/digest.ts';
import type { ChallengeStore } from '../store/store.ts';
import { assetRoutes } from './assets.ts';
import type { MessageKey } from './i18n/en.ts';
import { createPageContextResolver, tenantEntryFor, type PageContext } from './page-context.ts';
import { MessagePage } from './pages/message-page.tsx';
import { QuestionPage } from './pages/question-page.tsx';
import { SuccessPage } from './pages/success-page.tsx';

export interface WebAppOptions {
  service: ChallengeService;
  /** Holds the per-address submission counters. */
  store: ChallengeStore;
  secret: string;
  publicUrl: string;
  defaultLocale: Locale;
  /** Branding and message overrides per tenant; empty for askgate's own look. */
  tenants?: TenantDirectory;
  logger: Logger;
  limits: AbuseLimits;
}

/** Page tokens are 24 random bytes in base64url: exactly 32 characters. */
const pageTokenPattern = /^[A-Za-z0-9_-]{32}$/;

/** Longest answer read from the form, in characters; longer ones are treated as missing. */
const maxAnswerLength = 1000;

const channelNames = { whatsapp: 'WhatsApp', telegram: 'Telegram', messenger: 'Messenger', url: null } as const;

type Notice = { kind: 'error' | 'info'; text: string };

function htmlResponse(body: string, status: number, extraHeaders: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pageContentSecurityPolicy, ...extraHeaders },
  });
}

/** Builds the customer-facing app: the answer page, its stylesheets and the tenants' logos. */
export function createWebApp(options: WebAppOptions) {
  // An outage fails every request; one warning per 10 seconds says so without flooding the log.
  const storeOutageLogs = new RepeatLimiter();
  const { service, logger } = options;
  const tenants = options.tenants ?? {};
  const publicOrigin = new URL(options.publicUrl).origin;
  const pageContextFor = createPageContextResolver(tenants, options.defaultLocale);

  const csrfTokenFor = (tokenHash: string) => hmacSha256(options.secret, `askgate csrf v1\n${tokenHash}`);

  function messagePage(page: PageContext, titleKey: MessageKey, bodyKey: MessageKey, status: number, headers: Record<string, string> = {}): Response {
    return htmlResponse(MessagePage({ page, title: page.t(titleKey), body: page.t(bodyKey) }) as string, status, headers);
  }

  /** Builds the 429 page: how long to wait, in whole minutes, and the same wait in Retry-After. */
  function tooManyPage(page: PageContext, retryAfterSeconds: number): Response {
    const minutes = minutesToWait(retryAfterSeconds);
    const body = minutes === 1 ? page.t('rateLimited.body.one') : page.t('rateLimited.body.other', { minutes });
    return htmlResponse(MessagePage({ page, title: page.t('rateLimited.title'), body }) as string, 429, { 'retry-after': String(retryAfterSeconds) });
  }

  /** Counts a page submission against the limit of the client's IP address; returns a 429 page when over it. */
  async function limitSubmissions(request: Request, page: PageContext): Promise<Response | null> {
    const address = clientAddressOf(peerAddressOf(request), request.headers.get('x-forwarded-for'), options.limits.trustedProxies);
    // NOTE: a request that did not come through Bun.serve has no peer address and is not counted.
    if (address === null) return null;

    const hit = await options.store.hitRateLimit(rateLimitKeys.pageSubmissions(address), options.limits.pageSubmissionsPerMinute, 60, Date.now());
    if (hit.allowed) return null;
    logger.warn('page submission rejected: too many from this address', { request_id: requestIdOf(request), retry_after_s: hit.retryAfterSeconds });
    return tooManyPage(page, hit.retryAfterSeconds);
  }

  /** The page for a challenge that no longer takes answers. */
  function endedPage(page: PageContext, challenge: Challenge): Response {
    switch (challenge.status) {
      case 'passed':
        return messagePage(page, 'used.title', 'used.body', 410);
      case 'failed':
        return messagePage(page, 'locked.title', 'locked.body', 410);
      case 'expired':
        return messagePage(page, 'expired.title', 'expired.body', 410);
      case 'canceled':
        return messagePage(page, 'canceled.title', 'canceled.body', 410);
      case 'pending':
        throw new Error('endedPage called for a pending challenge');
    }
  }

  function questionPage(page: PageContext, challenge: Challenge, notice: Notice | null, status = 200, invalidIds: ReadonlySet<string> = new Set()): Response {
    const html = QuestionPage({
      page,
      questions: challenge.questions.map((question) => ({ id: question.id, prompt: question.prompt, type: question.type, choices: question.choices ?? [] })),
      csrfToken: csrfTokenFor(challenge.tokenHash),
      notice,
      invalidIds,
    });
    return htmlResponse(html as string, status);
  }

  function successPage(page: PageContext, challenge: Challenge): Response {
    const code = challenge.returnCode ?? '';
    const target = challenge.returnTarget;
    const template = target.channel === 'whatsapp' && target.text !== null ? target.text : page.t('return.message');
    const deepLink = buildDeepLink(target, fillReturnMessage(template, code), code);
    // An operator URL has no app name; the tenant's display name, when known, stands in for it.
    const destinationName = channelNames[target.channel] ?? tenantEntryFor(tenants, challenge.tenantId)?.settings.displayName ?? null;
    return htmlResponse(SuccessPage({ page, deepLink, destinationName }) as string, 200);
  }

  async function loadChallenge(token: string): Promise<Challenge | null> {
    if (!pageTokenPattern.test(token)) return null;
    return service.findByPageToken(token);
  }

  const allowedMethods = methodsByPath(() => app.routes);

  const app = new Elysia({ name: 'askgate-web' })
    .onRequest(({ request }) => {
      if (!servedMethods.has(request.method)) throw new AppError('method_not_allowed', 'method not served');
      if (isBodyTooLarge(request)) throw new AppError('payload_too_large', 'request body too large');
    })
    .onError(({ code, error, request }) => {
      const page = pageContextFor(request, null);
      if (isRouteMismatch(code, error)) {
        const allowed = allowedMethods(new URL(request.url).pathname);
        if (allowed.length === 0 || allowed.includes(request.method)) return messagePage(page, 'notFound.title', 'notFound.body', 404);
        return messagePage(page, 'badRequest.title', 'badRequest.body', 405, { allow: allowed.join(', ') });
      }
      if (error instanceof AppError && error.code === 'payload_too_large') return messagePage(page, 'badRequest.title', 'badRequest.body', 413);
      if (code === 'PARSE' || code === 'VALIDATION') return messagePage(page, 'badRequest.title', 'badRequest.body', 400);
      if (error instanceof StoreUnavailableError) {
        const suppressed = storeOutageLogs.admit('web');
        if (suppressed !== null) logger.warn('page request failed: store unavailable', { request_id: requestIdOf(request), reason: error.reason, repeats_suppressed: suppressed });
        const unavailable = messagePage(page, 'unavailable.title', 'unavailable.body', 503);
        unavailable.headers.set('retry-after', String(error.retryAfterSeconds ?? 2));
        return unavailable;
      }
      logger.error('page request failed', {
        request_id: requestIdOf(request),
        error: error instanceof Error ? error.name : String(code),
      });
      return messagePage(page, 'error.title', 'error.body', 500);
    })
    .use(assetRoutes(tenants))
    .get('/healthz', () => ({ status: 'ok' }))
    .get('/c/:token', async ({ params, request }) => {
      // GET never changes state: chat apps fetch links for previews before the customer does.
      const challenge = await loadChallenge(params.token);
      const page = pageContextFor(request, challenge);
      if (challenge === null) return messagePage(page, 'notFound.title', 'notFound.body', 404);
      if (challenge.status !== 'pending') return endedPage(page, challenge);
      return questionPage(page, challenge, null);
    })
    .post('/c/:token', async ({ params, request, body }) => {
      const limited = await limitSubmissions(request, pageContextFor(request, null));
      if (limited !== null) return limited;

      const challenge = await loadChallenge(params.token);
      const page = pageContextFor(request, challenge);
      const { t } = page;
      if (challenge === null) return messagePage(page, 'notFound.title', 'notFound.body', 404);

      if (new URL(request.url).search !== '') {
        // Answers in a query string would end up in proxy and server logs.
        return messagePage(page, 'badRequest.title', 'badRequest.body', 400);
      }
      const fetchSite = request.headers.get('sec-fetch-site');
      const origin = request.headers.get('origin');
      if ((fetchSite !== null && fetchSite !== 'same-origin' && fetchSite !== 'none') || (origin !== null && origin !== 'null' && origin !== publicOrigin)) {
        logger.warn('cross-site page submission rejected', { request_id: requestIdOf(request), challenge_id: challenge.id, sec_fetch_site: fetchSite ?? undefined });
        return messagePage(page, 'blocked.title', 'blocked.body', 403);
      }

      const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const csrf = typeof form.csrf === 'string' ? form.csrf : '';
      if (!constantTimeEqual(csrf, csrfTokenFor(challenge.tokenHash))) {
        logger.warn('page submission without a valid CSRF token', { request_id: requestIdOf(request), challenge_id: challenge.id });
        return messagePage(page, 'blocked.title', 'blocked.body', 403);
      }
      if (challenge.status !== 'pending') return endedPage(page, challenge);

      const answers = readAnswers(form, challenge);
      if (answers === null) return questionPage(page, challenge, { kind: 'error', text: t('question.empty') }, 422);

      const result = await service.submit(challenge, answers, page.dateOrder);
      switch (result.kind) {
        case 'not_found':
          return messagePage(page, 'notFound.title', 'notFound.body', 404);
        case 'unreadable':
          return questionPage(page, challenge, { kind: 'error', text: t('question.unreadable') }, 422, new Set(result.questionIds));
        case 'ended':
          return endedPage(page, result.challenge);
        case 'unavailable':
          return questionPage(page, challenge, { kind: 'info', text: t('question.unavailable') }, 503);
        case 'wrong': {
          const left = result.challenge.maxAttempts - result.challenge.attempts;
          const text = left === 1 ? t('question.wrong.one') : t('question.wrong.other', { count: left });
          return questionPage(page, result.challenge, { kind: 'error', text });
        }
        case 'locked':
          return messagePage(page, 'locked.title', 'locked.body', 200);
        case 'passed':
          return successPage(page, result.challenge);
        case 'client_locked':
          return tooManyPage(page, result.retryAfterSeconds);
      }
    });
  return app;
}

/** Builds the page for an error that even the error handler could not handle: static, in English, without details. */
export function lastResortPage(): Response {
  const page = createPageContextResolver({}, 'en')(new Request('http://askgate.invalid/'), null);
  return htmlResponse(MessagePage({ page, title: page.t('error.title'), body: page.t('error.body') }) as string, 500);
}

/** Reads one answer per question from the form; null when any is missing or blank. */
function readAnswers(form: Record<string, unknown>, challenge: Challenge): Record<string, string> | null {
  const answers: Record<string, string> = {};
  const single = challenge.questions.length === 1;
  for (const question of challenge.questions) {
    const value = form[single ? 'answer' : `answer.${question.id}`];
    if (typeof value !== 'string' || value.trim() === '' || value.length > maxAnswerLength) return null;
    answers[question.id] = value;
  }
  return answers;
}
