import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

const publicUrl = 'https://verify.bank.example';
const formType = { 'content-type': 'application/x-www-form-urlencoded' };

let askgate: Askgate;

beforeAll(async () => {
  askgate = await startAskgate({ ASKGATE_PUBLIC_URL: publicUrl });
});

afterAll(async () => {
  await askgate.stop();
});

/** Returns the page URL on the local listener, because links name the public URL, which does not resolve in tests. */
function localUrl(pageUrl: string): string {
  return askgate.webUrl + new URL(pageUrl).pathname;
}

async function viewOf(id: string): Promise<Record<string, unknown>> {
  return (await askgate.api(`/v1/challenges/${id}`)).json();
}

describe('GET changes nothing', () => {
  const agents = [
    'WhatsApp/2.23.20.0 A',
    'WhatsApp/2.2407.3 i',
    'TelegramBot (like TwitterBot)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'Twitterbot/1.0',
    'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36',
  ];

  test('20 previews keep challenge pending', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const url = localUrl(created.url);
    for (let index = 0; index < 20; index++) {
      const agent = agents[index % agents.length] as string;
      const method = index % 5 === 4 ? 'HEAD' : 'GET';
      const response = await fetch(`${url}${index % 3 === 0 ? '?answer=1990-04-12' : ''}`, { method, headers: { 'user-agent': agent } });
      await response.arrayBuffer();
      expect({ index, agent, method, status: response.status }).toEqual({ index, agent, method, status: 200 });
    }

    const view = await viewOf(created.id);
    expect(view.attempts).toBe(0);
    expect(view.status).toBe('pending');
    expect((await askgate.store.listEvents('default', { challengeId: created.id, limit: 10 })).length).toBe(0);
  });
});

describe('cross-site submissions', () => {
  const crossSite: [string, Record<string, string>][] = [
    ['foreign Origin', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }],
    ['local listener Origin', { origin: 'http://127.0.0.1:1' }],
  ];
  for (const [name, headers] of crossSite) {
    test(`rejects ${name}`, async () => {
      const created = await askgate.createChallenge(sampleChallenge());
      const url = localUrl(created.url);
      const csrf = csrfFrom(await (await fetch(url)).text());
      const response = await fetch(url, { method: 'POST', headers: { ...formType, ...headers }, body: new URLSearchParams({ csrf, answer: '1990-04-12' }) });
      await response.text();

      expect(response.status).toBe(403);
      const view = await viewOf(created.id);
      expect(view.status).toBe('pending');
      expect(view.attempts).toBe(0);
    });
  }

  test('accepts public Origin', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const url = localUrl(created.url);
    const csrf = csrfFrom(await (await fetch(url)).text());
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...formType, origin: publicUrl, 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ csrf, answer: '1990-04-12' }),
    });
    await response.text();
    expect(response.status).toBe(200);
  });

  test('rejects CSRF token of another link', async () => {
    const first = await askgate.createChallenge(sampleChallenge());
    const second = await askgate.createChallenge(sampleChallenge());
    const foreignCsrf = csrfFrom(await (await fetch(localUrl(first.url))).text());
    const response = await fetch(localUrl(second.url), { method: 'POST', headers: formType, body: new URLSearchParams({ csrf: foreignCsrf, answer: '1990-04-12' }) });
    await response.text();
    expect(response.status).toBe(403);
    expect((await viewOf(second.id)).attempts).toBe(0);
  });

  test('rejects answer in query string', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const url = localUrl(created.url);
    const csrf = csrfFrom(await (await fetch(url)).text());
    const response = await fetch(`${url}?answer=1990-04-12`, { method: 'POST', headers: formType, body: new URLSearchParams({ csrf, answer: '1990-04-12' }) });
    await response.text();
    expect(response.status).toBe(400);
    expect((await viewOf(created.id)).attempts).toBe(0);
  });
});

describe('Host header', () => {
  /** Sends an HTTP/1.1 request over a raw socket, so that the Host header is exactly `host`. */
  async function rawRequest(port: number, lines: string[], body = ''): Promise<string> {
    const chunks: string[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    const socket = await Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        data: (_socket, data) => {
          chunks.push(data.toString());
        },
        close: () => resolve(),
        error: () => resolve(),
      },
    });
    socket.write([...lines, 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
    await promise;
    return chunks.join('');
  }

  test('page URL ignores forged Host', async () => {
    const body = JSON.stringify(sampleChallenge());
    const port = Number(new URL(askgate.apiUrl).port);
    const reply = await rawRequest(
      port,
      ['POST /v1/challenges HTTP/1.1', 'Host: evil.example', 'X-Forwarded-Host: evil.example', `Authorization: Bearer ${askgate.apiKey}`, 'Content-Type: application/json'],
      body,
    );
    const created = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));

    expect(reply).toStartWith('HTTP/1.1 201');
    expect(created.url).toStartWith(`${publicUrl}/c/`);
    expect(reply).not.toContain('evil.example');
  });

  test('page ignores forged Host', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const port = Number(new URL(askgate.webUrl).port);
    const reply = await rawRequest(port, [`GET ${new URL(created.url).pathname} HTTP/1.1`, 'Host: evil.example']);
    expect(reply).toStartWith('HTTP/1.1 200');
    expect(reply).not.toContain('evil.example');
  });
});

describe('unknown methods', () => {
  const apiCases: [string, string, number, string | null][] = [
    ['TRACE', '/v1/challenges', 405, 'POST'],
    ['PUT', '/v1/challenges', 405, 'POST'],
    ['PATCH', '/v1/challenges/chl_AAAAAAAAAAAAAAAAAAAAAA', 405, 'DELETE, GET, HEAD'],
    ['OPTIONS', '/v1/challenges', 405, 'POST'],
    ['DELETE', '/healthz', 405, 'GET, HEAD'],
    ['TRACE', '/nothing-here', 404, null],
    ['PUT', '/nothing-here', 404, null],
  ];
  for (const [method, path, status, allow] of apiCases) {
    test(`API ${method} ${path} is ${status}`, async () => {
      const response = await fetch(askgate.apiUrl + path, { method, headers: { authorization: `Bearer ${askgate.apiKey}` } });
      await response.arrayBuffer();
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(response.headers.get('allow')).toBe(allow);
    });
  }

  const pageCases: [string, string, number, string | null][] = [
    ['TRACE', '/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 405, 'GET, HEAD, POST'],
    ['PUT', '/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 405, 'GET, HEAD, POST'],
    ['DELETE', '/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 405, 'GET, HEAD, POST'],
    ['POST', '/assets/page.css', 405, 'GET, HEAD'],
    ['TRACE', '/nothing-here', 404, null],
  ];
  for (const [method, path, status, allow] of pageCases) {
    test(`page ${method} ${path.slice(0, 16)} is ${status}`, async () => {
      const response = await fetch(askgate.webUrl + path, { method });
      await response.arrayBuffer();
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('allow')).toBe(allow);
    });
  }
});
