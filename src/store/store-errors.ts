import { AppError } from '../errors/app-error.ts';

/**
 * The store could not be reached, or did not reply in time. Clients get a 503 with
 * `code: store_unavailable` and a generic detail. `reason` describes the failure for logs only
 * and never contains a password.
 *
 * A write that fails this way may or may not have been applied: the command can reach the
 * server and its reply can be lost with the connection.
 */
export class StoreUnavailableError extends AppError {
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown } = {}) {
    super('store_unavailable', 'The data store is unreachable. Retry in a few seconds.', {
      retryAfterSeconds: 2,
      cause: options.cause,
    });
    this.name = 'StoreUnavailableError';
    this.reason = reason;
  }
}
