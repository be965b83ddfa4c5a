import { Elysia } from 'elysia';
import type { ChallengeService } from '../../challenge/challenge-service.ts';
import type { CreateChallengeInput } from '../../challenge/create-input.ts';
import { AppError, invalidField } from '../../errors/app-error.ts';
import { rateLimitKeys } from '../../security/abuse-limits.ts';
import type { ApiCaller } from '../../security/api-keys.ts';
import type { Logger } from '../../log/logger.ts';
import type { ChallengeStore } from '../../store/store.ts';
import { challengeCreated, challengeIdParams, challengeView, confirmBody, confirmResult, createChallengeBody, idempotencyHeaders, problemModel } from '../models.ts';
import { presentChallenge, presentCreated } from '../present.ts';

export interface ChallengeRoutesOptions {
  service: ChallengeService;
  store: ChallengeStore;
  publicUrl: string;
  tenantOf: (request: Request) => string;
  callerOf: (request: Request) => ApiCaller;
  logger: Logger;
  /** Challenges one API key may create per minute. */
  createPerMinute: number;
}

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

const problems = {
  400: problemModel,
  401: problemModel,
  404: problemModel,
  409: problemModel,
  413: problemModel,
  422: problemModel,
  429: problemModel,
};

export function challengeRoutes(options: ChallengeRoutesOptions) {
  const { service, store, publicUrl, tenantOf, callerOf, logger } = options;

  async function limitCreation(caller: ApiCaller): Promise<void> {
    const hit = await store.hitRateLimit(rateLimitKeys.creation(caller.keyId), options.createPerMinute, 60, Date.now());
    if (!hit.allowed) {
      logger.warn('challenge rejected: creation rate limit reached', { tenant: caller.tenantId, key_id: caller.keyId, retry_after_s: hit.retryAfterSeconds });
      throw new AppError('rate_limited', `This API key reached its limit of ${options.createPerMinute} new challenges per minute (ASKGATE_CREATE_RATE_PER_MINUTE). Retry after the number of seconds in Retry-After.`, {
        retryAfterSeconds: hit.retryAfterSeconds,
      });
    }
  }

  async function create(tenantId: string, body: CreateChallengeInput): Promise<Response> {
    const { challenge, pageToken } = await service.create(tenantId, body);
    const created = presentCreated(challenge, `${publicUrl}/c/${pageToken}`);
    return Response.json(created, { status: 201, headers: { 'content-type': 'application/json; charset=utf-8' } });
  }

  async function createIdempotent(tenantId: string, key: string, body: CreateChallengeInput): Promise<Response> {
    const fingerprint = service.fingerprint(body);
    // The stored reply contains the page URL so that a retry gets the same link. It is kept
    // encrypted, and no longer than the challenge can be answered (a day without expires_in).
    const ttlSeconds = body.expires_in ?? 86400;
    const claim = await store.claimIdempotencyKey(tenantId, key, fingerprint, ttlSeconds, Date.now());
    switch (claim.state) {
      case 'mismatch':
        throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different body. Use a new key for a new challenge.');
      case 'in_progress':
        throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is still running. Retry in a moment.', { retryAfterSeconds: 1 });
      case 'replay': {
        const replyBody = service.openReply(claim.reply.body);
        if (replyBody === null) {
          // Sealed under an earlier ASKGATE_SECRET, whose challenges cannot be answered any more.
          logger.warn('stored Idempotency-Key reply cannot be decrypted; creating a new challenge', { tenant: tenantId });
          await store.releaseIdempotencyKey(tenantId, key);
          return createIdempotent(tenantId, key, body);
        }
        return new Response(replyBody, {
          status: claim.reply.status,
          headers: { 'content-type': 'application/json; charset=utf-8', 'idempotent-replayed': 'true' },
        });
      }
      case 'claimed':
        break;
    }

    let response: Response;
    try {
      response = await create(tenantId, body);
    } catch (error) {
      await store.releaseIdempotencyKey(tenantId, key);
      throw error;
    }
    await store.completeIdempotencyKey(tenantId, key, { status: response.status, body: service.sealReply(await response.clone().text()) });
    return response;
  }

  return new Elysia({ name: 'askgate-challenges' })
    .post(
      '/v1/challenges',
      async ({ body, request }) => {
        const caller = callerOf(request);
        const tenantId = caller.tenantId;
        await limitCreation(caller);

        const key = request.headers.get('idempotency-key');
        if (key === null) return create(tenantId, body);
        if (!idempotencyKeyPattern.test(key)) {
          throw new AppError('validation_failed', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters.', {
            errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
          });
        }

        return createIdempotent(tenantId, key, body);
      },
      {
        // Elysia 1.4.30 replaces a body that is not an object with {} before validation, so an
        // array or a string would be reported as a missing client_id. Such bodies are named here.
        transform: ({ body }) => {
          if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            throw invalidField('body', 'must be a JSON object');
          }
        },
        body: createChallengeBody,
        headers: idempotencyHeaders,
        response: { 201: challengeCreated, ...problems },
        detail: {
          summary: 'Create a challenge',
          description: 'Creates a one-time page for one customer and returns its URL. Give the expected answer (kept only as a keyed hash) or let a validation URL check it. Send the returned url to the customer in the chat.',
          tags: ['challenges'],
          security: [{ bearer: [] }],
        },
      },
    )
    .get(
      '/v1/challenges/:id',
      async ({ params, request }) => presentChallenge(await service.find(tenantOf(request), params.id)),
      {
        params: challengeIdParams,
        response: { 200: challengeView, ...problems },
        detail: {
          summary: 'Get a challenge',
          description: 'Returns the status and attempt count. Finished challenges stay readable for the retention window (ASKGATE_RETENTION, default 15 minutes).',
          tags: ['challenges'],
          security: [{ bearer: [] }],
        },
      },
    )
    .delete(
      '/v1/challenges/:id',
      async ({ params, request }) => presentChallenge(await service.cancel(tenantOf(request), params.id)),
      {
        params: challengeIdParams,
        response: { 200: challengeView, ...problems },
        detail: {
          summary: 'Cancel a challenge',
          description: 'Cancels a pending challenge; its page stops accepting answers. Returns 409 when the challenge has already finished.',
          tags: ['challenges'],
          security: [{ bearer: [] }],
        },
      },
    )
    .post(
      '/v1/challenges/:id/confirm',
      async ({ params, body, request }) => {
        const challenge = await service.confirm(tenantOf(request), params.id, body.code);
        return { confirmed: true as const, challenge: presentChallenge(challenge) };
      },
      {
        transform: ({ body }) => {
          if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            throw invalidField('body', 'must be a JSON object');
          }
        },
        params: challengeIdParams,
        body: confirmBody,
        response: { 200: confirmResult, ...problems, 410: problemModel, 429: problemModel },
        detail: {
          summary: 'Confirm a return code',
          description:
            'Proves that the chat message the bot received carries this challenge\'s return code, which ties the chat to the customer who passed. Send the code as found in the message: case and whitespace are ignored. ' +
            'Returns 200 once; then 409 already_confirmed. Errors: 422 return_code_mismatch, 409 challenge_not_passed, 410 confirm_window_closed (ASKGATE_CONFIRM_WINDOW seconds after passing, default 900), ' +
            '429 with Retry-After after 5 tries per challenge in 15 minutes (a right code resets the count).',
          tags: ['challenges'],
          security: [{ bearer: [] }],
        },
      },
    );
}
