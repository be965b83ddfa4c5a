/**
 * The closed set of error codes that askgate returns, each mapped to one HTTP status.
 * Clients match on `code`; the wording of `detail` may change between versions.
 */
export const errorStatuses = {
  unauthorized: 401,
  validation_failed: 400,
  invalid_json: 400,
  unsupported_media_type: 415,
  not_found: 404,
  method_not_allowed: 405,
  challenge_not_pending: 409,
  idempotency_key_reused: 422,
  no_endpoint: 409,
  return_code_mismatch: 422,
  already_confirmed: 409,
  challenge_not_passed: 409,
  confirm_window_closed: 410,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  rate_limited: 429,
  store_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatuses;

/** One field that failed validation, named by its dotted path (`return.phone`). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error that reaches the client as an RFC 9457 problem document.
 * `detail` must never contain a value the client sent.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[];
  readonly retryAfterSeconds: number | null;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatuses[code];
    this.errors = options.errors ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

/** Builds a `validation_failed` error for one field. */
export function invalidField(field: string, message: string): AppError {
  return new AppError('validation_failed', `Invalid field "${field}": ${message}`, {
    errors: [{ field, message }],
  });
}
