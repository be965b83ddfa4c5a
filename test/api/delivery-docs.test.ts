import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startAskgate, type Askgate } from '../support/harness.ts';

let askgate: Askgate;
let spec: any;

beforeAll(async () => {
  askgate = await startAskgate({});
  spec = await (await fetch(askgate.apiUrl + '/openapi.json')).json();
});

afterAll(async () => {
  await askgate.stop();
});

describe('OpenAPI for delivery routes', () => {
  const operations: [string, string, string][] = [
    ['/v1/events', 'get', '200'],
    ['/v1/events/{id}', 'get', '200'],
    ['/v1/events/{id}/redeliver', 'post', '202'],
    ['/v1/challenges/{id}/confirm', 'post', '200'],
  ];

  for (const [path, method, status] of operations) {
    test(`${method.toUpperCase()} ${path} is described`, () => {
      const operation = spec.paths[path]?.[method];
      expect(operation).toBeDefined();
      expect(operation.summary.length).toBeGreaterThan(5);
      expect(operation.description.length).toBeGreaterThan(40);
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(operation.responses[status]).toBeDefined();
    });
  }

  test('confirm documents its error statuses', () => {
    const responses = spec.paths['/v1/challenges/{id}/confirm'].post.responses;

    for (const status of ['404', '409', '410', '422', '429']) expect(responses[status]).toBeDefined();
  });

  test('event list documents its query', () => {
    const names = spec.paths['/v1/events'].get.parameters.map((parameter: any) => parameter.name);

    expect(names).toEqual(['challenge_id', 'status', 'limit']);
  });

  test('create body documents webhook_url', () => {
    const text = JSON.stringify(spec.paths['/v1/challenges'].post);

    expect(text).toContain('webhook_url');
    expect(text).toContain('ASKGATE_WEBHOOK_URL_HOSTS');
  });

  test('event schema carries an example', () => {
    const text = JSON.stringify(spec.paths['/v1/events/{id}'].get.responses['200']);

    expect(text).toContain('evt_ZXZlbnRJZEV4YW1wbGUx');
  });
});
