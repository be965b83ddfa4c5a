import type { Logger } from '../../log/logger.ts';
import { checkOutboundUrl, type OutboundPolicy } from '../../security/outbound-guard.ts';
import { randomBase64Url } from '../../security/random.ts';
import { signRequest } from '../../security/signature.ts';

/** What the bot's validation URL decided, or that it could not be asked. */
export type CallbackVerdict = 'valid' | 'invalid' | 'unavailable';

export interface CallbackQuestion {
  challengeId: string;
  clientId: string;
  questionId: string;
  question: string;
  answer: string;
}

export interface CallbackVerifierOptions {
  timeoutMs: number;
  signingSecrets: () => readonly string[];
  logger: Logger;
  /** Hosts and addresses the request may go to (see `checkOutboundUrl`). */
  outbound: OutboundPolicy;
}

/**
 * Asks the bot's validation URL whether an answer is right. The request is JSON, signed with
 * the Standard Webhooks headers; the reply must be 200 with `{"valid": true|false}`.
 * Timeouts, other statuses, redirects, malformed replies and URLs that the outbound guard
 * rejects give `unavailable`, which the page turns into "try again" without using an attempt.
 */
export async function askValidationUrl(
  url: string,
  question: CallbackQuestion,
  options: CallbackVerifierOptions,
): Promise<CallbackVerdict> {
  const body = JSON.stringify({
    challenge_id: question.challengeId,
    client_id: question.clientId,
    question_id: question.questionId,
    question: question.question,
    answer: question.answer,
  });
  const messageId = 'msg_' + randomBase64Url(16);
  const headers = signRequest(messageId, Math.floor(Date.now() / 1000), body, options.signingSecrets());
  const log = options.logger.child({ challenge_id: question.challengeId, message_id: messageId });

  const decision = await checkOutboundUrl(url, options.outbound);
  if (!decision.allowed) {
    log.error('validation request rejected by the outbound guard', { reason: decision.reason, detail: decision.detail });
    return 'unavailable';
  }

  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'askgate', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'failed';
    log.warn(`validation request ${reason}`, { error: error instanceof Error ? error.name : 'unknown', timeout_ms: options.timeoutMs });
    return 'unavailable';
  }

  if (response.status !== 200) {
    await response.body?.cancel();
    log.warn('validation URL returned an unexpected status', { status: response.status });
    return 'unavailable';
  }

  let reply: unknown;
  try {
    reply = await response.json();
  } catch {
    log.warn('validation URL returned a body that is not JSON');
    return 'unavailable';
  }
  if (typeof reply !== 'object' || reply === null || typeof (reply as { valid?: unknown }).valid !== 'boolean') {
    log.warn('validation URL returned JSON without a boolean "valid" field');
    return 'unavailable';
  }
  return (reply as { valid: boolean }).valid ? 'valid' : 'invalid';
}
