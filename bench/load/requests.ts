/**
 * The requests of each scenario, for the Bun load scripts. The wrk Lua scripts in bench/wrk/
 * send the same method, path, headers and body.
 */

/** The expected answer of every benchmark challenge. */
export const rightAnswer = '1990-04-12';
export const wrongAnswer = 'not-the-answer';

/**
 * A realistic create body: one question, an expected answer (hash verifier) and a WhatsApp
 * return. Each request needs its own client_id, because a newer challenge for the same client
 * cancels the older one.
 */
export function createBody(clientId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    client_id: clientId,
    question: 'What is your date of birth?',
    answer: rightAnswer,
    return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
    ...extra,
  });
}

export function createHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
}

export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

export function answerBody(csrf: string, answer: string): string {
  return new URLSearchParams({ csrf, answer }).toString();
}

/** Reads the CSRF token from a question page. */
export function csrfFromPage(html: string): string | null {
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** One pending challenge prepared for the page and answer-wrong scenarios. */
export interface PoolEntry {
  id: string;
  /** `/c/<page token>`. */
  path: string;
  csrf: string;
}

/** The pool file read by the Lua scripts and the fixed-rate script: one `path csrf` line each. */
export function formatPool(entries: PoolEntry[]): string {
  return entries.map((entry) => `${entry.path} ${entry.csrf}\n`).join('');
}

export function parsePool(text: string): PoolEntry[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [path = '', csrf = ''] = line.split(' ');
      return { id: '', path, csrf };
    });
}
