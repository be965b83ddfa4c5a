import { describe, expect, test } from 'bun:test';
import { createRouteLabeler, unmatchedRoute } from '../../src/observability/route-label.ts';

describe('createRouteLabeler()', () => {
  const label = createRouteLabeler(['/healthz', '/c/:token', '/v1/challenges', '/v1/challenges/:id', '/v1/challenges/:id/confirm', '/docs/init.js', '/docs/:file', '/files/*']);

  const cases: [path: string, route: string][] = [
    ['/healthz', '/healthz'],
    ['/c/AbCdEfGhIjKlMnOpQrStUvWxYz012345', '/c/:token'],
    ['/v1/challenges', '/v1/challenges'],
    ['/v1/challenges/', '/v1/challenges'],
    ['/v1/challenges/chl_123', '/v1/challenges/:id'],
    ['/v1/challenges/chl_123/confirm', '/v1/challenges/:id/confirm'],
    ['/docs/init.js', '/docs/init.js'],
    ['/docs/other.js', '/docs/:file'],
    ['/files/a/b/c', '/files/*'],
    ['/c/', unmatchedRoute],
    ['/c/token/extra', unmatchedRoute],
    ['/nothing/here', unmatchedRoute],
  ];

  for (const [path, route] of cases) {
    test(`maps ${path} to ${route}`, () => {
      expect(label(path)).toBe(route);
    });
  }

  test('treats dots in patterns literally', () => {
    expect(label('/docs/initXjs')).toBe('/docs/:file');
  });
});
