import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startAskgate, type Askgate } from '../support/harness.ts';

interface SchemaObject {
  description?: string;
  example?: unknown;
  examples?: unknown[];
  properties?: Record<string, SchemaObject>;
  $ref?: string;
}

interface Operation {
  summary?: string;
  description?: string;
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

let askgate: Askgate;
let document: OpenApiDocument;

beforeAll(async () => {
  askgate = await startAskgate();
  const response = await fetch(askgate.apiUrl + '/openapi.json');
  if (response.status !== 200) throw new Error(`/openapi.json returned ${response.status}`);
  document = await response.json();
});

afterAll(async () => {
  await askgate.stop();
});

/** Follows a local `#/components/schemas/…` reference, if the schema is one. */
function resolve(schema: SchemaObject): SchemaObject {
  if (schema.$ref === undefined) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  if (target === undefined) throw new Error(`unresolved schema reference ${schema.$ref}`);
  return target;
}

function hasExample(schema: SchemaObject): boolean {
  return schema.example !== undefined || (Array.isArray(schema.examples) && schema.examples.length > 0);
}

describe('/openapi.json', () => {
  test('lists challenge routes', () => {
    expect(document.paths['/v1/challenges']?.post).toBeDefined();
    expect(document.paths['/v1/challenges/{id}']?.get).toBeDefined();
    expect(document.paths['/v1/challenges/{id}']?.delete).toBeDefined();
  });

  test('documents every route', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => httpMethods.has(method))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(3);

    for (const { route, operation } of operations) {
      expect({ route, summary: operation.summary?.trim() ?? '' }).not.toEqual({ route, summary: '' });
      expect({ route, description: operation.description?.trim() ?? '' }).not.toEqual({ route, description: '' });
    }
  });

  test('describes create body fields', () => {
    const content = document.paths['/v1/challenges']?.post?.requestBody?.content?.['application/json'];
    expect(content?.schema).toBeDefined();
    const schema = resolve(content?.schema as SchemaObject);
    const properties = Object.entries(schema.properties ?? {});
    expect(properties.map(([name]) => name)).toContain('client_id');
    expect(properties.map(([name]) => name)).toContain('answer');

    for (const [field, property] of properties) {
      const description = resolve(property).description?.trim() ?? '';
      expect({ field, description }).not.toEqual({ field, description: '' });
    }

    const withExamples = properties.filter(([, property]) => hasExample(resolve(property)));
    expect(hasExample(schema) || withExamples.length > 0).toBe(true);
  });
});

describe('/docs', () => {
  let html: string;
  let assets: string[];

  beforeAll(async () => {
    const response = await fetch(askgate.apiUrl + '/docs');
    if (response.status !== 200) throw new Error(`/docs returned ${response.status}`);
    html = await response.text();
    const references = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/gi)];
    assets = references.map((match) => match[1] as string);
  });

  test('serves HTML page', async () => {
    const response = await fetch(askgate.apiUrl + '/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toStartWith('text/html');
  });

  test('references only same-origin assets', () => {
    expect(assets.length).toBeGreaterThanOrEqual(2);
    const apiOrigin = new URL(askgate.apiUrl).origin;
    for (const asset of assets) {
      expect({ asset, origin: new URL(asset, askgate.apiUrl).origin }).toEqual({ asset, origin: apiOrigin });
    }

    const absoluteUrls = [...html.matchAll(/(?:https?:)?\/\/[^\s"'<>)]+/gi)].map((match) => match[0]);
    const foreign = absoluteUrls.filter((url) => new URL(url, askgate.apiUrl).origin !== apiOrigin);
    expect(foreign).toEqual([]);
  });

  test('serves each asset with type', async () => {
    const types: string[] = [];
    for (const asset of assets) {
      const response = await fetch(new URL(asset, askgate.apiUrl));
      const type = response.headers.get('content-type') ?? '';
      await response.arrayBuffer();
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect({ asset, type }).toEqual({ asset, type: expect.stringMatching(/^(text\/javascript|application\/javascript|text\/css)\b/) });
      types.push(type);
    }

    expect(types.some((type) => type.includes('javascript'))).toBe(true);
    expect(types.some((type) => type.startsWith('text/css'))).toBe(true);
  });
});
