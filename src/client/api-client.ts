import type { eventView } from '../api/event-models.ts';
import type { challengeCreated, challengeView, confirmResult, createChallengeBody, problemModel } from '../api/models.ts';

export type CreateChallengeRequest = typeof createChallengeBody.static;
export type ChallengeCreated = typeof challengeCreated.static;
export type ChallengeView = typeof challengeView.static;
export type ConfirmResponse = typeof confirmResult.static;
export type EventView = typeof eventView.static;
export type ProblemDocument = typeof problemModel.static;
export type DeliveryStatus = EventView['status'];

export interface ListEventsQuery {
  challengeId?: string;
  status?: DeliveryStatus;
  /** 1 to 100; the server's default is 50. */
  limit?: number;
}

export interface AskgateClientOptions {
  /** The API's base URL, for example http://127.0.0.1:8000. */
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout in milliseconds (default 10000). */
  timeoutMs?: number;
  /** A fetch implementation, for tests or proxies (default: the global fetch). */
  fetch?: typeof fetch;
}

/**
 * A failed API call. `problem` is askgate's RFC 9457 document, so callers can branch on `code`
 * (`return_code_mismatch`, `not_found`…). It is null when the reply came from something other
 * than askgate, such as a proxy.
 */
export class AskgateApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDocument | null;

  constructor(status: number, problem: ProblemDocument | null) {
    super(problem ? `${problem.code}: ${problem.detail}` : `askgate returned status ${status} without a problem document`);
    this.name = 'AskgateApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The problem's stable code, or null when there is no problem document. */
  get code(): string | null {
    return this.problem?.code ?? null;
  }
}

/**
 * A small typed client of the askgate API for bot backends.
 *
 * @example
 * const askgate = new AskgateClient({ baseUrl: 'http://127.0.0.1:8000', apiKey: process.env.ASKGATE_API_KEY! });
 * const { id, url } = await askgate.createChallenge({ client_id: 'cust-8841', question: 'Date of birth?', answer: '1990-04-12' });
 */
export class AskgateClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly fetchFunction: typeof fetch;

  constructor(options: AskgateClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFunction = options.fetch ?? fetch;
  }

  /** Creates a challenge. With `idempotencyKey`, a retry returns the first reply instead of a second challenge. */
  createChallenge(body: CreateChallengeRequest, options: { idempotencyKey?: string } = {}): Promise<ChallengeCreated> {
    const headers: Record<string, string> = options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey };
    return this.request('POST', '/v1/challenges', body, headers);
  }

  getChallenge(id: string): Promise<ChallengeView> {
    return this.request('GET', `/v1/challenges/${encodeURIComponent(id)}`);
  }

  /** Cancels a pending challenge; fails with code `challenge_not_pending` when it has ended. */
  cancelChallenge(id: string): Promise<ChallengeView> {
    return this.request('DELETE', `/v1/challenges/${encodeURIComponent(id)}`);
  }

  /** Confirms the return code found in the customer's chat message. */
  confirm(id: string, code: string): Promise<ConfirmResponse> {
    return this.request('POST', `/v1/challenges/${encodeURIComponent(id)}/confirm`, { code });
  }

  /** Lists events, newest first. */
  async listEvents(query: ListEventsQuery = {}): Promise<EventView[]> {
    const search = new URLSearchParams();
    if (query.challengeId !== undefined) search.set('challenge_id', query.challengeId);
    if (query.status !== undefined) search.set('status', query.status);
    if (query.limit !== undefined) search.set('limit', String(query.limit));
    const suffix = search.size > 0 ? `?${search}` : '';
    const list = await this.request<{ data: EventView[] }>('GET', `/v1/events${suffix}`);
    return list.data;
  }

  getEvent(id: string): Promise<EventView> {
    return this.request('GET', `/v1/events/${encodeURIComponent(id)}`);
  }

  /** Makes an event due for delivery again; fails with code `no_endpoint` when it has no webhook URL. */
  redeliver(id: string): Promise<EventView> {
    return this.request('POST', `/v1/events/${encodeURIComponent(id)}/redeliver`);
  }

  private async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: 'application/json', ...extraHeaders };
    if (body !== undefined) headers['content-type'] = 'application/json';

    const response = await this.fetchFunction(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as T;

    throw new AskgateApiError(response.status, parseProblem(response, text));
  }
}

function parseProblem(response: Response, text: string): ProblemDocument | null {
  if (!(response.headers.get('content-type') ?? '').startsWith('application/problem+json')) return null;
  try {
    const problem = JSON.parse(text) as ProblemDocument;
    return typeof problem.code === 'string' ? problem : null;
  } catch {
    return null;
  }
}
