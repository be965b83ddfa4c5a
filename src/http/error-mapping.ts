import { AppError, type FieldError } from '../errors/app-error.ts';

/**
 * Converts whatever a handler or Elysia threw into an AppError. Elysia's own validation error
 * repeats the submitted body, answer included, so only the failing paths and TypeBox's generic
 * messages are kept. Returns null for errors that are not the client's fault.
 */
export function toAppError(code: string | number, error: unknown): AppError | null {
  if (error instanceof AppError) return error;

  switch (code) {
    case 'VALIDATION':
      return validationError(error);
    case 'PARSE':
      return new AppError('invalid_json', 'The request body could not be parsed. Send a JSON object with Content-Type: application/json.');
    case 'NOT_FOUND':
      return new AppError('not_found', 'No such route. See /docs for the routes of this API.');
    case 'INVALID_COOKIE_SIGNATURE':
    case 'INVALID_FILE_TYPE':
      return new AppError('validation_failed', 'The request could not be read.');
    default:
      return null;
  }
}

function validationError(error: unknown): AppError {
  const all = (error as { all?: { path?: string; message?: string }[] }).all ?? [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const item of all) {
    const field = pathToField(item.path ?? '');
    const message = item.message ?? 'is invalid';
    const key = field + '\n' + message;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ field, message });
  }
  if (errors.length === 0) errors.push({ field: 'body', message: 'is invalid' });

  const fields = [...new Set(errors.map((item) => item.field))].join(', ');
  return new AppError('validation_failed', `Invalid fields: ${fields}. See "errors" for each problem and /docs for the limits.`, { errors });
}

/** Turns a JSON pointer such as `/return/phone` into `return.phone`; the root becomes `body`. */
function pathToField(path: string): string {
  const field = path.replace(/^\//, '').replaceAll('/', '.').replaceAll('~1', '/').replaceAll('~0', '~');
  return field === '' ? 'body' : field;
}
