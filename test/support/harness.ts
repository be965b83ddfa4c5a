import { loadConfig } from '../../src/config/config.ts';
import { Logger } from '../../src/log/logger.ts';
import { sha256 } from '../../src/security/digest.ts';
import { startServer, type RunningServer, type ServerOverrides } from '../../src/server.ts';

export const testApiKey = 'ak_test_' + 'k'.repeat(40);
export const testSecret = 'test-secret-'.padEnd(48, 's');

export interface Askgate extends RunningServer {
  apiKey: string;
  /** Every log line written while the server ran, debug level included. */
  logs: string[];
  /** Calls the API with the test key; `body` is sent as JSON. */
  api: (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;
  /** Creates a challenge and returns the 201 body; fails the test on any other status. */
  createChallenge: (body: Record<string, unknown>) => Promise<{ id: string; url: string; status: string; expires_at: string; client_id: string }>;
}

/**
 * Starts askgate in this process on free loopback ports. `env` holds ASKGATE_* variables on top
 * of the test defaults (fixed API key and secret, debug logs captured in memory); `overrides`
 * replaces built parts such as the store.
 */
export async function startAskgate(env: Record<string, string> = {}, overrides: ServerOverrides = {}): Promise<Askgate> {
  const config = loadConfig(
    {
      ASKGATE_HOST: '127.0.0.1',
      ASKGATE_API_PORT: '0',
      ASKGATE_WEB_PORT: '0',
      ASKGATE_API_KEY: testApiKey,
      ASKGATE_SECRET: testSecret,
      // Validation and webhook receivers in tests listen on 127.0.0.1, which the outbound guard rejects by default.
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
      // Every test request comes from 127.0.0.1; the per-address page limit has its own tests.
      ASKGATE_PAGE_RATE_PER_MINUTE: '100000',
      ...env,
    },
    {},
    '/nonexistent-dir-without-pem-files',
    false,
  );
  const logs: string[] = [];
  const logger = new Logger({ level: 'debug', format: 'json', write: (line) => logs.push(line) });
  const server = await startServer(config, logger, overrides);
  const apiKey = env.ASKGATE_API_KEY ?? testApiKey;

  const api: Askgate['api'] = (path, init = {}) =>
    fetch(server.apiUrl + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });

  const createChallenge: Askgate['createChallenge'] = async (body) => {
    const response = await api('/v1/challenges', { body });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`create returned ${response.status}: ${text}`);
    return JSON.parse(text);
  };

  return { ...server, apiKey, logs, api, createChallenge };
}

/**
 * Reads the challenge behind a page link through the API, in the view that its bot gets. The
 * link's token finds the challenge id in the store, because the API has no lookup by token.
 */
export async function readChallengeOfPage(askgate: Askgate, pageUrl: string): Promise<{ id: string; status: string; confirmed_at?: string }> {
  const token = new URL(pageUrl).pathname.split('/').at(-1) ?? '';
  const stored = await askgate.store.findChallengeByToken(sha256(token));
  if (stored === null) throw new Error('no challenge belongs to this page link');
  const response = await askgate.api(`/v1/challenges/${stored.id}`);
  if (response.status !== 200) throw new Error(`GET /v1/challenges/${stored.id} returned ${response.status}`);
  return (await response.json()) as { id: string; status: string; confirmed_at?: string };
}

/** Returns the parsed log lines with message `msg` about challenge `challengeId`. */
export function logsAbout(askgate: Askgate, msg: string, challengeId: string): Record<string, unknown>[] {
  return askgate.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg && line.challenge_id === challengeId);
}

/** Reads the CSRF token from a question page. */
export function csrfFrom(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field in page');
  return match[1] as string;
}

/** Opens the page like a browser would and submits `fields` with its CSRF token. */
export async function submitAnswer(pageUrl: string, fields: Record<string, string>): Promise<Response> {
  const page = await fetch(pageUrl);
  const csrf = csrfFrom(await page.text());
  return fetch(pageUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, ...fields }).toString(),
  });
}

let clientSerial = 0;

/**
 * A one-question challenge body with a WhatsApp return, for tests to adjust. Each call uses a new
 * client_id, because a newer challenge for the same client cancels the older one.
 */
export function sampleChallenge(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  clientSerial += 1;
  return {
    client_id: `cust-${process.pid}-${clientSerial}`,
    question: 'What is your date of birth?',
    answer: '1990-04-12',
    return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
    ...overrides,
  };
}
