/** The route label of a request that matches no route. */
export const unmatchedRoute = 'unmatched';

/**
 * Builds a function that maps a request path to the route pattern it matches, such as
 * `/c/:token` for `/c/AbC…`, so that logs and metric labels carry the pattern and never the
 * path: page tokens and challenge ids are in paths, and raw paths would make unbounded label
 * sets. `patterns` are Elysia route paths (`:name` is one segment, `*` the rest of the path).
 * A static pattern wins over one with parameters.
 */
export function createRouteLabeler(patterns: readonly string[]): (path: string) => string {
  const compiled = [...new Set(patterns)]
    .map((pattern) => ({ pattern, regex: patternToRegex(pattern), dynamicSegments: countDynamicSegments(pattern) }))
    .sort((a, b) => a.dynamicSegments - b.dynamicSegments);

  return (path) => compiled.find((route) => route.regex.test(path))?.pattern ?? unmatchedRoute;
}

function patternToRegex(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return segment.endsWith('?') ? '[^/]*' : '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

function countDynamicSegments(pattern: string): number {
  return pattern.split('/').filter((segment) => segment === '*' || segment.startsWith(':')).length;
}
