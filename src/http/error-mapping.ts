import type { TSchema } from '@sinclair/typebox';
import { AppError, type FieldError } from '../errors/app-error.ts';

/**
 * Converts whatever a handler or Elysia threw into an AppError. Elysia's own validation error
 * repeats the submitted body, answer included, so only the failing paths and TypeBox's generic
 * messages are kept. A path is cut where it leaves `schemas`, so that property names the client
 * invented (unknown fields, metadata keys) are never echoed. Returns null for errors that are not
 * the client's fault.
 */
export function toAppError(code: string | number, error: unknown, schemas: readonly TSchema[] = []): AppError | null {
  if (error instanceof AppError) return error;

  switch (code) {
    case 'VALIDATION':
      return validationError(error, schemas);
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

function validationError(error: unknown, schemas: readonly TSchema[]): AppError {
  const all = (error as { all?: { path?: string; message?: string }[] }).all ?? [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const item of all) {
    const field = knownField(pathToSegments(item.path ?? ''), schemas);
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

/** Splits a JSON pointer such as `/return/phone` into its unescaped segments. */
function pathToSegments(path: string): string[] {
  if (path === '' || path === '/') return [];
  return path
    .replace(/^\//, '')
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * Joins the leading segments that name declared properties or array items (`return.phone`,
 * `questions.0.prompt`); the root becomes `body`.
 */
function knownField(segments: string[], schemas: readonly TSchema[]): string {
  const [first] = segments;
  let node = first === undefined ? undefined : schemas.find((schema) => childSchema(schema, first) !== undefined);
  const known: string[] = [];
  for (const segment of segments) {
    const child = node === undefined ? undefined : childSchema(node, segment);
    if (child === undefined) break;
    known.push(segment);
    node = child;
  }
  return known.length === 0 ? 'body' : known.join('.');
}

/** Returns the schema of property or item `segment` of `schema`, looking inside unions, or undefined when it declares none. */
function childSchema(schema: TSchema, segment: string): TSchema | undefined {
  const properties = schema.properties as Record<string, TSchema> | undefined;
  if (properties !== undefined && Object.hasOwn(properties, segment)) return properties[segment];
  if (schema.items !== undefined && /^\d+$/.test(segment)) return schema.items as TSchema;
  for (const option of (schema.anyOf ?? []) as TSchema[]) {
    const child = childSchema(option, segment);
    if (child !== undefined) return child;
  }
  return undefined;
}
