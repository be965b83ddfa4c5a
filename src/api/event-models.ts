import { t } from 'elysia';

/** TypeBox schemas of the event routes. */

const eventTypes = t.Union(
  [t.Literal('challenge.passed'), t.Literal('challenge.failed'), t.Literal('challenge.expired'), t.Literal('challenge.canceled')],
  { description: 'What happened to the challenge.' },
);

export const deliveryStatuses = ['pending', 'delivered', 'dead', 'no_endpoint'] as const;

const deliveryStatus = t.Union([t.Literal('pending'), t.Literal('delivered'), t.Literal('dead'), t.Literal('no_endpoint')], {
  description:
    'pending: waiting for its first try or a retry; delivered: a receiver replied 2xx; dead: every retry failed; no_endpoint: no webhook URL was configured, so the event is only readable here.',
});

const metadataValue = t.Union([t.String(), t.Number(), t.Boolean(), t.Null()]);

export const eventPayload = t.Object(
  {
    type: eventTypes,
    timestamp: t.String({ format: 'date-time', description: 'When the event was created; the same on every try.' }),
    data: t.Object(
      {
        id: t.String({ description: 'Challenge id.' }),
        client_id: t.String(),
        status: t.Union([t.Literal('passed'), t.Literal('failed'), t.Literal('expired'), t.Literal('canceled')]),
        attempts: t.Integer(),
        max_attempts: t.Integer(),
        created_at: t.String({ format: 'date-time' }),
        expires_at: t.String({ format: 'date-time' }),
        completed_at: t.String({ format: 'date-time' }),
        return_code: t.Optional(t.String({ description: 'Only in challenge.passed: the code that the customer\'s return message carries.' })),
        metadata: t.Record(t.String(), metadataValue),
      },
      { description: 'The challenge as it ended. Never contains an answer, an answer hash or the page token.' },
    ),
  },
  {
    description: 'The exact JSON body POSTed to the webhook URL, signed per Standard Webhooks (webhook-id is the event id).',
    examples: [
      {
        type: 'challenge.passed',
        timestamp: '2026-05-01T12:03:10.512Z',
        data: {
          id: 'chl_Q2hhbGxlbmdlSWRFeGFtcGxl',
          client_id: 'cust-8841',
          status: 'passed',
          attempts: 1,
          max_attempts: 3,
          created_at: '2026-05-01T12:01:58.101Z',
          expires_at: '2026-05-01T12:06:58.101Z',
          completed_at: '2026-05-01T12:03:10.512Z',
          return_code: 'K7P2QXA',
          metadata: { conversation: 'abc' },
        },
      },
    ],
  },
);

export const deliveryAttemptView = t.Object({
  at: t.String({ format: 'date-time', description: 'When the try started.' }),
  status: t.Union([t.Integer(), t.Null()], { description: 'HTTP status of the reply; null when no reply came.' }),
  error: t.Union([t.String(), t.Null()], { description: 'Why the try failed, for example "status 500" or "timed out after 10000 ms"; null when it succeeded.' }),
  duration_ms: t.Integer(),
});

export const eventView = t.Object(
  {
    id: t.String({ description: 'Event id (evt_…), sent as webhook-id on every try; use it to drop duplicates.' }),
    type: eventTypes,
    challenge_id: t.String(),
    created_at: t.String({ format: 'date-time' }),
    status: deliveryStatus,
    attempts: t.Array(deliveryAttemptView, { description: 'Every delivery try, oldest first.' }),
    next_attempt_at: t.Union([t.String({ format: 'date-time' }), t.Null()], { description: 'When the next try is due; null unless status is pending.' }),
    payload: eventPayload,
  },
  {
    examples: [
      {
        id: 'evt_ZXZlbnRJZEV4YW1wbGUx',
        type: 'challenge.failed',
        challenge_id: 'chl_Q2hhbGxlbmdlSWRFeGFtcGxl',
        created_at: '2026-05-01T12:03:10.512Z',
        status: 'pending',
        attempts: [{ at: '2026-05-01T12:03:10.530Z', status: 503, error: 'status 503', duration_ms: 41 }],
        next_attempt_at: '2026-05-01T12:03:15.490Z',
        payload: {
          type: 'challenge.failed',
          timestamp: '2026-05-01T12:03:10.512Z',
          data: {
            id: 'chl_Q2hhbGxlbmdlSWRFeGFtcGxl',
            client_id: 'cust-8841',
            status: 'failed',
            attempts: 3,
            max_attempts: 3,
            created_at: '2026-05-01T12:01:58.101Z',
            expires_at: '2026-05-01T12:06:58.101Z',
            completed_at: '2026-05-01T12:03:10.512Z',
            metadata: {},
          },
        },
      },
    ],
  },
);

export const eventList = t.Object({
  data: t.Array(eventView, { description: 'Events, newest first.' }),
});

export const eventListQuery = t.Object({
  challenge_id: t.Optional(t.String({ minLength: 1, maxLength: 64, description: 'Only events of this challenge.', examples: ['chl_Q2hhbGxlbmdlSWRFeGFtcGxl'] })),
  // status and limit are checked by the route, so that an invalid value gets a message naming the allowed ones.
  status: t.Optional(t.String({ maxLength: 20, description: 'Only events in this delivery state: pending, delivered, dead or no_endpoint.', examples: ['dead'] })),
  limit: t.Optional(t.String({ maxLength: 10, description: 'How many events to return, 1 to 100 (default 50).', examples: ['20'] })),
});

export const eventIdParams = t.Object({
  id: t.String({ maxLength: 64, description: 'Event id (evt_…).' }),
});
