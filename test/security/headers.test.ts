import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../../src/security/self-signed-cert.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { failingStore } from '../support/failing-store.ts';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

const pagePolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const bannerHeaders = ['server', 'x-powered-by', 'x-aspnet-version', 'x-runtime'];

interface Sample {
  name: string;
  response: Response;
  body: string;
}

/** Fetches `url` and keeps the response with its body read, so that connections close. */
async function sample(name: string, url: string, init: RequestInit = {}): Promise<Sample> {
  const response = await fetch(url, init);
  const body = await response.text();
  return { name, response, body };
}

/** Checks the headers every response of either port must carry. */
function expectBaseHeaders({ name, response }: Sample): void {
  const type = response.headers.get('content-type') ?? '';
  expect({ name, nosniff: response.headers.get('x-content-type-options') }).toEqual({ name, nosniff: 'nosniff' });
  if (/^text\/|[/+]json/.test(type)) {
    expect({ name, type, charset: /;\s*charset=utf-8/i.test(type) }).toEqual({ name, type, charset: true });
  }
  for (const banner of bannerHeaders) {
    expect({ name, banner, value: response.headers.get(banner) }).toEqual({ name, banner, value: null });
  }
  // No CORS: neither port is meant to be read by scripts of other origins.
  expect({ name, cors: response.headers.get('access-control-allow-origin') }).toEqual({ name, cors: null });
}

/** Checks the headers of an HTML page of the customer port. */
function expectPageHeaders({ name, response }: Sample): void {
  expect({ name, type: response.headers.get('content-type') }).toEqual({ name, type: 'text/html; charset=utf-8' });
  expect({ name, csp: response.headers.get('content-security-policy') }).toEqual({ name, csp: pagePolicy });
  expect({ name, referrer: response.headers.get('referrer-policy') }).toEqual({ name, referrer: 'no-referrer' });
  expect({ name, cache: response.headers.get('cache-control') }).toEqual({ name, cache: 'no-store' });
  expect({ name, robots: response.headers.get('x-robots-tag') ?? '' }).toEqual({ name, robots: expect.stringContaining('noindex') });
}

function statusClasses(samples: Sample[]): string[] {
  return [...new Set(samples.map(({ response }) => `${String(response.status)[0]}xx`))].sort();
}

describe('security headers', () => {
  let askgate: Askgate;
  let failing: Set<string>;
  let apiSamples: Sample[];
  let pageSamples: Sample[];
  let assetSamples: Sample[];

  beforeAll(async () => {
    const wrapped = failingStore(new MemoryStore({ retentionSeconds: 60, eventRetentionSeconds: 60 }));
    failing = wrapped.failing as Set<string>;
    askgate = await startAskgate({ ASKGATE_CREATE_RATE_PER_MINUTE: '1000' }, { store: wrapped.store });

    const auth = { authorization: `Bearer ${askgate.apiKey}` };
    const created = await askgate.createChallenge(sampleChallenge());
    const api = askgate.apiUrl;
    apiSamples = [
      await sample('API healthz', `${api}/healthz`),
      await sample('API get challenge', `${api}/v1/challenges/${created.id}`, { headers: auth }),
      await sample('API openapi', `${api}/openapi.json`),
      await sample('API docs', `${api}/docs`),
      await sample('API docs script', `${api}/docs/init.js`),
      await sample('API 401', `${api}/v1/challenges/${created.id}`),
      await sample('API 404', `${api}/v1/unknown`, { headers: auth }),
      await sample('API 400', `${api}/v1/challenges`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }),
      await sample('API 405', `${api}/v1/challenges`, { method: 'PUT', headers: auth }),
      await sample('API 413', `${api}/v1/challenges`, { method: 'POST', headers: auth, body: 'x'.repeat(20000) }),
    ];
    const page = await fetch(created.url);
    const csrf = csrfFrom(await page.text());
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    pageSamples = [
      await sample('page question', created.url),
      await sample('page wrong answer', created.url, { method: 'POST', headers: form, body: new URLSearchParams({ csrf, answer: 'wrong' }) }),
      await sample('page 404', `${askgate.webUrl}/c/${'A'.repeat(32)}`),
      await sample('page unknown route', `${askgate.webUrl}/nothing`),
      await sample('page 403', created.url, { method: 'POST', headers: form, body: 'answer=x' }),
      await sample('page 405', created.url, { method: 'PUT' }),
      await sample('page 413', created.url, { method: 'POST', headers: form, body: 'answer=' + 'x'.repeat(20000) }),
    ];
    assetSamples = [await sample('page stylesheet', `${askgate.webUrl}/assets/page.css`), await sample('page healthz', `${askgate.webUrl}/healthz`)];

    failing.add('findChallenge');
    failing.add('findChallengeByToken');
    apiSamples.push(await sample('API 500', `${api}/v1/challenges/${created.id}`, { headers: auth }));
    pageSamples.push(await sample('page 500', created.url));
    failing.clear();
  });

  afterAll(async () => {
    await askgate.stop();
  });

  test('samples cover 2xx, 4xx and 5xx', () => {
    expect(statusClasses(apiSamples)).toEqual(['2xx', '4xx', '5xx']);
    expect(statusClasses(pageSamples)).toEqual(['2xx', '4xx', '5xx']);
  });

  test('5xx bodies are generic', async () => {
    const apiError = apiSamples.find((item) => item.name === 'API 500') as Sample;
    const pageError = pageSamples.find((item) => item.name === 'page 500') as Sample;
    expect(apiError.response.status).toBe(500);
    expect(pageError.response.status).toBe(500);
    expect(apiError.response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    for (const { name, body } of [apiError, pageError]) {
      expect({ name, stack: /\bat .+:\d+|Error:|failed on purpose|findChallenge/.test(body) }).toEqual({ name, stack: false });
    }
    expect(JSON.parse(apiError.body).code).toBe('internal_error');
    expect(pageError.body).toContain('Something went wrong');
    expect(askgate.logs.some((line) => line.includes('failed on purpose'))).toBe(true);
  });

  test('API responses carry base headers', () => {
    for (const item of apiSamples) expectBaseHeaders(item);
  });

  test('API responses forbid framing', () => {
    for (const { name, response } of apiSamples) {
      expect({ name, csp: response.headers.get('content-security-policy') ?? '' }).toEqual({ name, csp: expect.stringContaining("frame-ancestors 'none'") });
    }
  });

  test('pages carry page headers', () => {
    for (const item of pageSamples) {
      expectBaseHeaders(item);
      expectPageHeaders(item);
    }
  });

  test('page assets carry base headers', () => {
    for (const item of assetSamples) expectBaseHeaders(item);
  });

  test('no HSTS without TLS', () => {
    for (const { name, response } of [...apiSamples, ...pageSamples]) {
      expect({ name, hsts: response.headers.get('strict-transport-security') }).toEqual({ name, hsts: null });
    }
  });
});

describe('security headers with TLS', () => {
  let askgate: Askgate;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'askgate-tls-'));
    const { certPem, keyPem } = createSelfSignedCertificate();
    writeFileSync(join(folder, 'cert.pem'), certPem);
    writeFileSync(join(folder, 'key.pem'), keyPem);
    askgate = await startAskgate({ ASKGATE_TLS_CERT: join(folder, 'cert.pem'), ASKGATE_TLS_KEY: join(folder, 'key.pem') });
  });

  afterAll(async () => {
    await askgate.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('both ports send HSTS', async () => {
    const insecure = { tls: { rejectUnauthorized: false } } as RequestInit;
    const created = await (await fetch(`${askgate.apiUrl}/v1/challenges`, {
      ...insecure,
      method: 'POST',
      headers: { authorization: `Bearer ${askgate.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(sampleChallenge()),
    })).json();
    const samples = [
      await sample('API 2xx', `${askgate.apiUrl}/healthz`, insecure),
      await sample('API 4xx', `${askgate.apiUrl}/v1/challenges/x`, insecure),
      await sample('page 2xx', created.url, insecure),
      await sample('page 4xx', `${askgate.webUrl}/c/${'A'.repeat(32)}`, insecure),
    ];
    expect(created.url).toStartWith('https://');
    for (const { name, response } of samples) {
      expect({ name, hsts: response.headers.get('strict-transport-security') }).toEqual({ name, hsts: 'max-age=31536000; includeSubDomains' });
    }
  });
});
