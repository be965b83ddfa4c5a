import { errorStatuses, type ErrorCode, type FieldError } from './app-error.ts';

const titles: Record<ErrorCode, string> = {
  unauthorized: 'Unauthorized',
  validation_failed: 'Invalid request',
  invalid_json: 'Malformed JSON body',
  unsupported_media_type: 'Unsupported media type',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  challenge_not_pending: 'Challenge is not pending',
  idempotency_key_reused: 'Idempotency key reused with a different body',
  no_endpoint: 'No webhook URL for this event',
  return_code_mismatch: 'Return code does not match',
  already_confirmed: 'Return code already confirmed',
  challenge_not_passed: 'Challenge has not passed',
  confirm_window_closed: 'Confirmation window closed',
  idempotency_in_progress: 'Request with this idempotency key in progress',
  payload_too_large: 'Payload too large',
  rate_limited: 'Too many requests',
  store_unavailable: 'Store unavailable',
  internal_error: 'Internal error',
};

/** An RFC 9457 problem document as askgate sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  request_id: string;
  errors?: FieldError[];
}

export const problemContentType = 'application/problem+json; charset=utf-8';

/** Builds the problem document for an error code. */
export function buildProblem(
  code: ErrorCode,
  detail: string,
  requestId: string,
  errors: FieldError[] = [],
): Problem {
  const problem: Problem = {
    type: `urn:askgate:problem:${code}`,
    title: titles[code],
    status: errorStatuses[code],
    code,
    detail,
    request_id: requestId,
  };
  if (errors.length > 0) problem.errors = errors;
  return problem;
}

/** Wraps a problem document in a Response with the problem+json content type. */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': problemContentType, ...headers },
  });
}
