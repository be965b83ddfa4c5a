/** One request as a test receiver saw it. */
export interface ReceivedRequest {
  path: string;
  body: string;
  headers: Headers;
  receivedAt: number;
  /** When the receiver replied; null while the request is unanswered. */
  answeredAt: number | null;
}

export interface ReceiverOptions {
  /** How many tries of each webhook-id `/flaky` fails with 500 before it replies 200 (default 2). */
  flakyFailures?: number;
  /** How long `/slow` waits before it replies 200 (default 1000 ms). */
  slowMs?: number;
  /** Loopback port to listen on (default 0: any free port). */
  port?: number;
}

/**
 * Starts a webhook receiver on 127.0.0.1 whose path picks the behaviour. `/ok` replies 204 and
 * `/flaky` fails the first tries of each webhook-id. `/hang` never replies until the receiver
 * stops, and `/slow` replies late. `/redirect` replies 302, and `/valid` replies
 * `{"valid": true}` as a validation URL would.
 */
export function startReceiver(options: ReceiverOptions = {}) {
  const flakyFailures = options.flakyFailures ?? 2;
  const slowMs = options.slowMs ?? 1000;
  const received: ReceivedRequest[] = [];
  const triesById = new Map<string, number>();
  const releaseHanging: (() => void)[] = [];

  const reply = async (path: string, request: Request): Promise<Response> => {
    switch (path) {
      case '/ok':
        return new Response(null, { status: 204 });
      case '/flaky': {
        const id = request.headers.get('webhook-id') ?? '';
        const tries = (triesById.get(id) ?? 0) + 1;
        triesById.set(id, tries);
        return tries <= flakyFailures ? new Response('not yet', { status: 500 }) : new Response('ok');
      }
      case '/hang':
        await new Promise<void>((resolve) => releaseHanging.push(resolve));
        return new Response('released', { status: 503 });
      case '/slow':
        await Bun.sleep(slowMs);
        return new Response('ok');
      case '/redirect':
        return new Response(null, { status: 302, headers: { location: '/ok' } });
      case '/valid':
        return Response.json({ valid: true });
      default:
        return new Response('not found', { status: 404 });
    }
  };

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: options.port ?? 0,
    // Hanging requests must outlive the tests that hold them.
    idleTimeout: 0,
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      const entry: ReceivedRequest = { path, body: await request.text(), headers: request.headers, receivedAt: Date.now(), answeredAt: null };
      received.push(entry);
      const response = await reply(path, request);
      entry.answeredAt = Date.now();
      return response;
    },
  });

  return {
    url: (path: string) => `http://127.0.0.1:${server.port}${path}`,
    /** Requests received so far, optionally only those to `path`. */
    received: (path?: string) => received.filter((request) => path === undefined || request.path === path),
    /** Requests whose body belongs to challenge `challengeId`. */
    forChallenge: (challengeId: string) => received.filter((request) => request.body.includes(`"id":"${challengeId}"`)),
    stop: () => {
      for (const release of releaseHanging.splice(0)) release();
      server.stop(true);
    },
  };
}

export type Receiver = ReturnType<typeof startReceiver>;

/** Polls `condition` every 25 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(25);
  }
}

/** Generates a Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return 'whsec_' + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
}
