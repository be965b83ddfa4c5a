import type { DeliveryAttempt } from '../events/event.ts';
import { signRequest } from '../security/signature.ts';

export interface SendOptions {
  /** Secrets that sign this try; several during a rotation. */
  secrets: readonly string[];
  timeoutMs: number;
  /** Aborts the try early, for example when a shutdown grace period ends. */
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * POSTs one event body to `url`, signed per Standard Webhooks with the event id as `webhook-id`
 * (the same on every try, so receivers can drop duplicates) and a fresh `webhook-timestamp`.
 * Any 2xx reply counts as delivered. Redirects are not followed and count as failures, like
 * timeouts, network errors and other statuses. The returned `error` never contains the URL, the
 * body or a secret, because it is stored and shown through the API.
 */
export async function sendWebhook(url: string, eventId: string, body: string, options: SendOptions): Promise<DeliveryAttempt> {
  const now = options.now ?? Date.now;
  const at = now();
  const started = performance.now();
  const headers = signRequest(eventId, Math.floor(at / 1000), body, options.secrets);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const elapsedMs = () => Math.round(performance.now() - started);

  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'askgate-webhooks', ...headers },
      body,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    return { at, status: null, error: describeFailure(error, timeout.aborted, options.timeoutMs), durationMs: elapsedMs() };
  }

  // Only the status matters; the reply body is dropped unread so that a large one costs nothing.
  await response.body?.cancel().catch(() => {});
  const status = response.status;
  if (status >= 200 && status <= 299) return { at, status, error: null, durationMs: elapsedMs() };

  const error = status >= 300 && status <= 399 ? `redirect with status ${status} (not followed)` : `status ${status}`;
  return { at, status, error, durationMs: elapsedMs() };
}

function describeFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  if (error instanceof Error && error.name === 'AbortError') return 'aborted at shutdown';
  const code = (error as { code?: unknown }).code;
  // Bun 1.4's fetch errors carry the URL in `path`, and a URL can hold a token of the receiver, so only the code is kept.
  return typeof code === 'string' ? `request failed: ${code}` : `request failed: ${error instanceof Error ? error.name : 'unknown error'}`;
}
