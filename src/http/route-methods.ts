import { AppError } from '../errors/app-error.ts';

/** Methods askgate serves at all. Any other method (TRACE, PUT, PATCH…) gets 405 or 404. */
export const servedMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'DELETE']);

interface RouteEntry {
  method: string;
  path: string;
}

/**
 * Builds a lookup from a path to the methods its routes accept, for the `Allow` header of a 405.
 * Elysia path patterns are supported: `:name` matches one segment and `*` the rest. HEAD is
 * allowed wherever GET is, because Elysia serves HEAD from the GET route.
 */
export function methodsByPath(routes: () => readonly RouteEntry[]): (pathname: string) => string[] {
  let compiled: { method: string; pattern: RegExp }[] | null = null;
  return (pathname) => {
    compiled ??= routes().map((route) => ({ method: route.method.toUpperCase(), pattern: compilePath(route.path) }));
    const methods = new Set<string>();
    for (const route of compiled) {
      if (!route.pattern.test(pathname)) continue;
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
    }
    return [...methods].filter((method) => servedMethods.has(method)).sort();
  };
}

function compilePath(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Tells whether an error means that no route matched: Elysia's NOT_FOUND, or a method askgate never serves. */
export function isRouteMismatch(code: string | number, error: unknown): boolean {
  return code === 'NOT_FOUND' || (error instanceof AppError && error.code === 'method_not_allowed');
}

/**
 * Returns the error for a request that no route matched: 405 when the path exists under other methods
 * (the caller lists them in Allow), else 404.
 */
export function unmatchedRouteError(request: Request, allowedMethods: (pathname: string) => string[]): AppError {
  const allowed = allowedMethods(new URL(request.url).pathname);
  if (allowed.length === 0 || allowed.includes(request.method)) {
    return new AppError('not_found', 'No such route. See /docs for the routes of this API.');
  }
  return new AppError('method_not_allowed', `This route does not support this method. Use ${allowed.join(', ')}.`);
}
