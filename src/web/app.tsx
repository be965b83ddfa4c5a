/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import { Elysia } from 'elysia';
import pageCss from './page.css' with { type: 'text' };
import type { Challenge } from '../challenge/challenge.ts';
import type { ChallengeService } from '../challenge/challenge-service.ts';
import type { Locale } from '../config/config.ts';
import { buildDeepLink, fillReturnMessage } from '../delivery/deep-link.ts';
import { AppError } from '../errors/app-error.ts';
import { isBodyTooLarge } from '../http/body-limit.ts';
import { peerAddressOf, requestIdOf } from '../http/request-context.ts';
import { isRouteMismatch, methodsByPath, servedMethods } from '../http/route-methods.ts';
import { pageContentSecurityPolicy } from '../http/security-headers.ts';
import type { Logger } from '../log/logger.ts';
import { minutesToWait, rateLimitKeys, type AbuseLimits } from '../security/abuse-limits.ts';
import { clientAddressOf } from '../security/client-address.ts';
import { constantTimeEqual, hmacSha256 } from '../security/digest.ts';
import type { ChallengeStore } from '../store/store.ts';
import { resolveLocale, translator, type Translate } from './i18n/catalogue.ts';
import { en, type MessageKey } from './i18n/en.ts';
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
  logger: Logger;
  limits: AbuseLimits;
}

/** Page tokens are 24 random bytes in base64url: exactly 32 characters. */
const pageTokenPattern = /^[A-Za-z0-9_-]{32}$/;

const channelNames = { whatsapp: 'WhatsApp', telegram: 'Telegram', messenger: 'Messenger', url: null } as const;

function htmlResponse(body: string, status: number, extraHeaders: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pageContentSecurityPolicy, ...extraHeaders },
  });
}

/** Builds the customer-facing app: the answer page and its stylesheet. */
export function createWebApp(options: WebAppOptions) {
  const { service, logger } = options;
  const publicOrigin = new URL(options.publicUrl).origin;

  const localeFor = (request: Request, challenge: Challenge | null): Locale =>
    resolveLocale(challenge?.locale ?? null, request.headers.get('accept-language'), options.defaultLocale);

  const csrfTokenFor = (tokenHash: string) => hmacSha256(options.secret, `askgate csrf v1\n${tokenHash}`);

  function messagePage(locale: Locale, titleKey: MessageKey, bodyKey: MessageKey, status: number, headers: Record<string, string> = {}): Response {
    const t = translator(locale);
    return htmlResponse(MessagePage({ locale, title: t(titleKey), body: t(bodyKey) }) as string, status, headers);
  }

  /** Builds the 429 page: how long to wait, in whole minutes, and the same wait in Retry-After. */
  function tooManyPage(locale: Locale, retryAfterSeconds: number): Response {
    const t = translator(locale);
    const minutes = minutesToWait(retryAfterSeconds);
    const body = minutes === 1 ? t('rateLimited.body.one') : t('rateLimited.body.other', { minutes });
    return htmlResponse(MessagePage({ locale, title: t('rateLimited.title'), body }) as string, 429, { 'retry-after': String(retryAfterSeconds) });
  }

  /** Counts a page submission against the limit of the client's IP address; returns a 429 page when over it. */
  async function limitSubmissions(request: Request, locale: Locale): Promise<Response | null> {
    const address = clientAddressOf(peerAddressOf(request), request.headers.get('x-forwarded-for'), options.limits.trustedProxies);
    // NOTE: a request that did not come through Bun.serve has no peer address and is not counted.
    if (address === null) return null;

    const hit = await options.store.hitRateLimit(rateLimitKeys.pageSubmissions(address), options.limits.pageSubmissionsPerMinute, 60, Date.now());
    if (hit.allowed) return null;
    logger.warn('page submission rejected: too many from this address', { request_id: requestIdOf(request), retry_after_s: hit.retryAfterSeconds });
    return tooManyPage(locale, hit.retryAfterSeconds);
  }

  /** The page for a challenge that no longer takes answers. */
  function endedPage(locale: Locale, challenge: Challenge): Response {
    switch (challenge.status) {
      case 'passed':
        return messagePage(locale, 'used.title', 'used.body', 410);
      case 'failed':
        return messagePage(locale, 'locked.title', 'locked.body', 410);
      case 'expired':
        return messagePage(locale, 'expired.title', 'expired.body', 410);
      case 'canceled':
        return messagePage(locale, 'canceled.title', 'canceled.body', 410);
      case 'pending':
        throw new Error('endedPage called for a pending challenge');
    }
  }

  function questionPage(locale: Locale, challenge: Challenge, notice: { kind: 'error' | 'info'; text: string } | null, status = 200): Response {
    const page = QuestionPage({
      locale,
      t: translator(locale),
      questions: challenge.questions.map((question) => ({ id: question.id, prompt: question.prompt })),
      csrfToken: csrfTokenFor(challenge.tokenHash),
      notice,
    });
    return htmlResponse(page as string, status);
  }

  function successPage(locale: Locale, t: Translate, challenge: Challenge): Response {
    const code = challenge.returnCode ?? '';
    const target = challenge.returnTarget;
    const template = target.channel === 'whatsapp' && target.text !== null ? target.text : t('return.message');
    const deepLink = buildDeepLink(target, fillReturnMessage(template, code), code);
    return htmlResponse(SuccessPage({ locale, t, deepLink, channelName: channelNames[target.channel] }) as string, 200);
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
      const locale = localeFor(request, null);
      if (isRouteMismatch(code, error)) {
        const allowed = allowedMethods(new URL(request.url).pathname);
        if (allowed.length === 0 || allowed.includes(request.method)) return messagePage(locale, 'notFound.title', 'notFound.body', 404);
        return messagePage(locale, 'badRequest.title', 'badRequest.body', 405, { allow: allowed.join(', ') });
      }
      if (error instanceof AppError && error.code === 'payload_too_large') return messagePage(locale, 'badRequest.title', 'badRequest.body', 413);
      if (code === 'PARSE' || code === 'VALIDATION') return messagePage(locale, 'badRequest.title', 'badRequest.body', 400);
      logger.error('page request failed', {
        request_id: requestIdOf(request),
        error: error instanceof Error ? error.name : String(code),
      });
      return messagePage(locale, 'error.title', 'error.body', 500);
    })
    .get('/assets/page.css', () => new Response(pageCss, { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' } }))
    .get('/healthz', () => ({ status: 'ok' }))
    .get('/c/:token', async ({ params, request }) => {
      // GET never changes state: chat apps fetch links for previews before the customer does.
      const challenge = await loadChallenge(params.token);
      const locale = localeFor(request, challenge);
      if (challenge === null) return messagePage(locale, 'notFound.title', 'notFound.body', 404);
      if (challenge.status !== 'pending') return endedPage(locale, challenge);
      return questionPage(locale, challenge, null);
    })
    .post('/c/:token', async ({ params, request, body }) => {
      const limited = await limitSubmissions(request, localeFor(request, null));
      if (limited !== null) return limited;

      const challenge = await loadChallenge(params.token);
      const locale = localeFor(request, challenge);
      const t = translator(locale);
      if (challenge === null) return messagePage(locale, 'notFound.title', 'notFound.body', 404);

      if (new URL(request.url).search !== '') {
        // Answers in a query string would end up in proxy and server logs.
        return messagePage(locale, 'badRequest.title', 'badRequest.body', 400);
      }
      const fetchSite = request.headers.get('sec-fetch-site');
      const origin = request.headers.get('origin');
      if ((fetchSite !== null && fetchSite !== 'same-origin' && fetchSite !== 'none') || (origin !== null && origin !== 'null' && origin !== publicOrigin)) {
        logger.warn('cross-site page submission rejected', { request_id: requestIdOf(request), challenge_id: challenge.id, sec_fetch_site: fetchSite ?? undefined });
        return messagePage(locale, 'blocked.title', 'blocked.body', 403);
      }

      const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const csrf = typeof form.csrf === 'string' ? form.csrf : '';
      if (!constantTimeEqual(csrf, csrfTokenFor(challenge.tokenHash))) {
        logger.warn('page submission without a valid CSRF token', { request_id: requestIdOf(request), challenge_id: challenge.id });
        return messagePage(locale, 'blocked.title', 'blocked.body', 403);
      }
      if (challenge.status !== 'pending') return endedPage(locale, challenge);

      const answers = readAnswers(form, challenge);
      if (answers === null) return questionPage(locale, challenge, { kind: 'error', text: t('question.empty') }, 422);

      const result = await service.submit(challenge, answers);
      switch (result.kind) {
        case 'not_found':
          return messagePage(locale, 'notFound.title', 'notFound.body', 404);
        case 'ended':
          return endedPage(locale, result.challenge);
        case 'unavailable':
          return questionPage(locale, challenge, { kind: 'info', text: t('question.unavailable') }, 503);
        case 'wrong': {
          const left = result.challenge.maxAttempts - result.challenge.attempts;
          const text = left === 1 ? t('question.wrong.one') : t('question.wrong.other', { count: left });
          return questionPage(locale, result.challenge, { kind: 'error', text });
        }
        case 'locked':
          return messagePage(locale, 'locked.title', 'locked.body', 200);
        case 'passed':
          return successPage(locale, t, result.challenge);
        case 'client_locked':
          return tooManyPage(locale, result.retryAfterSeconds);
      }
    });
  return app;
}

/** The page when even the error handler failed: static, in English, without details. */
export function lastResortPage(): Response {
  return htmlResponse(MessagePage({ locale: 'en', title: en['error.title'], body: en['error.body'] }) as string, 500);
}

/** Reads one answer per question from the form; null when any is missing or blank. */
function readAnswers(form: Record<string, unknown>, challenge: Challenge): Record<string, string> | null {
  const answers: Record<string, string> = {};
  const single = challenge.questions.length === 1;
  for (const question of challenge.questions) {
    const value = form[single ? 'answer' : `answer.${question.id}`];
    if (typeof value !== 'string' || value.trim() === '' || value.length > 1000) return null;
    answers[question.id] = value;
  }
  return answers;
}
