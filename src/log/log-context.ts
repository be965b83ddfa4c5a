import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogFields } from './logger.ts';

const storage = new AsyncLocalStorage<LogFields>();

/**
 * Runs `fn` with `fields` added to every log line written while it runs, also from code it
 * awaits. The server uses it to put the request id on every line a request causes.
 */
export function runWithLogContext<T>(fields: LogFields, fn: () => T): T {
  return storage.run(fields, fn);
}

/** Adds fields (such as the tenant, once the request is authenticated) to the current context. */
export function addToLogContext(fields: LogFields): void {
  const current = storage.getStore();
  if (current !== undefined) Object.assign(current, fields);
}

/** Returns the fields of the current context; empty outside runWithLogContext. */
export function currentLogContext(): LogFields {
  return storage.getStore() ?? {};
}
