import { Elysia } from 'elysia';
import { AppError, invalidField } from '../../errors/app-error.ts';
import type { DeliveryStatus } from '../../events/event.ts';
import type { ChallengeStore } from '../../store/store.ts';
import { deliveryStatuses, eventIdParams, eventList, eventListQuery, eventView } from '../event-models.ts';
import { problemModel } from '../models.ts';
import { presentEvent } from '../present-event.ts';

export interface EventRoutesOptions {
  store: ChallengeStore;
  tenantOf: (request: Request) => string;
  /** Called after a redelivery was scheduled, so that the worker tries at once. */
  onRedeliver?: () => void;
}

const problems = {
  400: problemModel,
  401: problemModel,
  404: problemModel,
  409: problemModel,
};

const defaultLimit = 50;
const maxLimit = 100;

/** Event routes: list and read a tenant's events, and ask for one to be delivered again. */
export function eventRoutes(options: EventRoutesOptions) {
  const { store, tenantOf } = options;
  const notFound = () =>
    new AppError('not_found', 'No event with this id exists for this API key. Events are dropped after the event retention window.');

  return new Elysia({ name: 'askgate-events' })
    .get(
      '/v1/events',
      async ({ query, request }) => {
        const tenantId = tenantOf(request);
        const limit = query.limit === undefined ? defaultLimit : Number(query.limit);
        if (query.limit !== undefined && (!/^\d{1,3}$/.test(query.limit) || limit < 1 || limit > maxLimit)) {
          throw invalidField('limit', `must be a whole number from 1 to ${maxLimit}`);
        }
        const status = query.status as DeliveryStatus | undefined;
        if (status !== undefined && !deliveryStatuses.includes(status)) {
          throw invalidField('status', `must be one of: ${deliveryStatuses.join(', ')}`);
        }

        const events = await store.listEvents(tenantId, { challengeId: query.challenge_id, status, limit });
        return { data: events.map(presentEvent) };
      },
      {
        query: eventListQuery,
        response: { 200: eventList, ...problems },
        detail: {
          summary: 'List events',
          description:
            'Returns this API key\'s events, newest first, with their delivery state and every try. Filter by challenge_id and delivery status; limit is 1 to 100 (default 50). Use it to poll instead of receiving webhooks, or to find events that went dead.',
          tags: ['events'],
          security: [{ bearer: [] }],
        },
      },
    )
    .get(
      '/v1/events/:id',
      async ({ params, request }) => {
        const event = await store.findEvent(tenantOf(request), params.id);
        if (event === null) throw notFound();
        return presentEvent(event);
      },
      {
        params: eventIdParams,
        response: { 200: eventView, ...problems },
        detail: {
          summary: 'Get an event',
          description: 'Returns one event with its delivery state, its tries and the exact payload that is signed and sent.',
          tags: ['events'],
          security: [{ bearer: [] }],
        },
      },
    )
    .post(
      '/v1/events/:id/redeliver',
      async ({ params, request, set }) => {
        const tenantId = tenantOf(request);
        const event = await store.findEvent(tenantId, params.id);
        if (event === null) throw notFound();
        if (event.webhookUrl === null) {
          throw new AppError('no_endpoint', `The event has no webhook URL to deliver to, because none was configured when its challenge was created. Read it through GET /v1/events instead.`);
        }

        const redelivered = await store.redeliverEvent(tenantId, params.id, Date.now());
        if (redelivered === null) throw notFound();
        options.onRedeliver?.();
        set.status = 202;
        return presentEvent(redelivered);
      },
      {
        params: eventIdParams,
        response: { 202: eventView, ...problems },
        detail: {
          summary: 'Redeliver an event',
          description:
            'Makes the event due now, whatever its state, and returns 202 with the event. The try uses the same webhook-id with a fresh timestamp and signature. A delivered event gets the full retry schedule again; a dead event gets one more try. Returns 409 no_endpoint when the event has no webhook URL.',
          tags: ['events'],
          security: [{ bearer: [] }],
        },
      },
    );
}
