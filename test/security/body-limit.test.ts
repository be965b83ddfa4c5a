import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { maxRequestBodyBytes } from '../../src/http/body-limit.ts';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

const problemJson = 'application/problem+json; charset=utf-8';

let askgate: Askgate;
let pageUrl: string;

beforeAll(async () => {
  askgate = await startAskgate();
  pageUrl = (await askgate.createChallenge(sampleChallenge())).url;
});

afterAll(async () => {
  await askgate.stop();
});

/** Builds a request body that fetch sends with chunked transfer encoding (no Content-Length), in 4 KB pieces. */
function chunkedBody(totalBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) {
        controller.close();
        return;
      }
      const size = Math.min(4096, totalBytes - sent);
      controller.enqueue(new Uint8Array(size).fill(0x61));
      sent += size;
    },
  });
}

/** Builds a create request padded with metadata to exactly `totalBytes` of JSON. */
function paddedCreateBody(totalBytes: number): string {
  const body = sampleChallenge({ metadata: { pad: '' } });
  const base = JSON.stringify(body).length;
  (body.metadata as { pad: string }).pad = 'p'.repeat(totalBytes - base);
  const text = JSON.stringify(body);
  if (text.length !== totalBytes) throw new Error('padding arithmetic is off');
  return text;
}

describe('API body limit', () => {
  test('Content-Length over limit is 413', async () => {
    const response = await askgate.api('/v1/challenges', { body: 'x'.repeat(maxRequestBodyBytes + 1) });
    const problem = await response.json();
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe(problemJson);
    expect(problem.code).toBe('payload_too_large');
    expect(problem.status).toBe(413);
  });

  test('chunked body over limit is 413', async () => {
    const response = await fetch(askgate.apiUrl + '/v1/challenges', {
      method: 'POST',
      headers: { authorization: `Bearer ${askgate.apiKey}`, 'content-type': 'application/json' },
      body: chunkedBody(maxRequestBodyBytes * 4),
    });
    const problem = await response.json();
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe(problemJson);
    expect(problem.code).toBe('payload_too_large');
  });

  test('huge Content-Length is 413 problem', async () => {
    const response = await askgate.api('/v1/challenges', { body: 'x'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe(problemJson);
    expect((await response.json()).code).toBe('payload_too_large');
  });

  test('body at limit is accepted', async () => {
    const response = await askgate.api('/v1/challenges', { body: paddedCreateBody(maxRequestBodyBytes) });
    expect(response.status).not.toBe(413);
    // The 500-character limit on metadata values rejects the padding; the size did not.
    expect((await response.json()).code).toBe('validation_failed');
  });

  test('small chunked body is read', async () => {
    const text = JSON.stringify(sampleChallenge());
    const response = await fetch(askgate.apiUrl + '/v1/challenges', {
      method: 'POST',
      headers: { authorization: `Bearer ${askgate.apiKey}`, 'content-type': 'application/json' },
      body: new Blob([text]).stream(),
    });
    expect(response.status).toBe(201);
  });

  test('oversized unauthenticated request is 401', async () => {
    const response = await fetch(askgate.apiUrl + '/v1/challenges', { method: 'POST', body: 'x'.repeat(maxRequestBodyBytes + 1) });
    expect(response.status).toBe(401);
  });
});

describe('page body limit', () => {
  test('Content-Length over limit is 413 page', async () => {
    const response = await fetch(pageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'answer=' + 'x'.repeat(maxRequestBodyBytes),
    });
    const html = await response.text();
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Request not valid');
  });

  test('chunked body over limit is 413 page', async () => {
    const response = await fetch(pageUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: chunkedBody(maxRequestBodyBytes * 2),
    });
    await response.text();
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  test('oversized post uses no attempt', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    await (await fetch(created.url, { method: 'POST', body: 'answer=' + 'x'.repeat(maxRequestBodyBytes) })).text();
    const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(view.attempts).toBe(0);
  });
});
