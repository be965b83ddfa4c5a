import type { Server } from 'bun';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/**
 * A stand-in for a chat platform's send-message API on loopback: it records every request and
 * replies with `reply` (200 JSON by default), so examples never reach the real service.
 */
export function startChatMock(reply: (request: RecordedRequest) => Response = () => Response.json({ ok: true })) {
  const requests: RecordedRequest[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (request) => {
      const recorded = { method: request.method, path: new URL(request.url).pathname, headers: request.headers, body: await request.text() };
      requests.push(recorded);
      return reply(recorded);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

/** Returns the href of the success page's return link, with HTML entities decoded. */
export function returnLinkOf(html: string): string {
  const match = /<a id="return-link"[^>]*href="([^"]+)"/.exec(html);
  if (!match) throw new Error('no return link in the page');
  return (match[1] as string).replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"');
}
