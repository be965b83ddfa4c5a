import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { csrfFrom, sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

const formType = { 'content-type': 'application/x-www-form-urlencoded' };

let askgate: Askgate;

beforeAll(async () => {
  askgate = await startAskgate();
});

afterAll(async () => {
  await askgate.stop();
});

async function viewOf(server: Askgate, id: string): Promise<Record<string, unknown>> {
  const response = await server.api(`/v1/challenges/${id}`);
  if (response.status !== 200) throw new Error(`GET challenge returned ${response.status}`);
  return response.json();
}

/** Posts `fields` as a URL-encoded form to `url`, with `headers` added to the request. */
function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...formType, ...headers }, body: new URLSearchParams(fields).toString() });
}

/** Reads the href of the `id="return-link"` anchor, with HTML entities in it decoded. */
function returnLinkOf(html: string): string {
  const anchor = /<a\b[^>]*\bid="return-link"[^>]*>/.exec(html)?.[0];
  if (anchor === undefined) throw new Error('no return-link anchor in page');
  const href = /\bhref="([^"]*)"/.exec(anchor)?.[1];
  if (href === undefined) throw new Error('return-link has no href');
  return href.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}

describe('GET /c/:token', () => {
  test('escapes question text', async () => {
    const created = await askgate.createChallenge(
      sampleChallenge({ question: 'Is <script>alert(1)</script> your "quotes" word?' }),
    );
    const response = await fetch(created.url);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quotes&quot;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('"quotes"');
  });

  test('sends security headers', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const response = await fetch(created.url);
    await response.text();
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(response.headers.get('content-type')).toStartWith('text/html');
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("form-action 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('has no script tag', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const html = await (await fetch(created.url)).text();
    expect(html).toContain('<form');
    expect(html.toLowerCase()).not.toContain('<script');
  });

  test('uses no attempt', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    for (let index = 0; index < 3; index++) {
      const response = await fetch(created.url);
      await response.text();
      expect(response.status).toBe(200);
    }
    const view = await viewOf(askgate, created.id);
    expect(view.attempts).toBe(0);
    expect(view.status).toBe('pending');
  });

  test('returns 404 for unknown tokens', async () => {
    const wellFormed = `${askgate.webUrl}/c/${'A'.repeat(32)}`;
    const malformed = `${askgate.webUrl}/c/not-a-token`;
    for (const url of [wellFormed, malformed]) {
      const response = await fetch(url);
      const html = await response.text();
      expect({ url, status: response.status }).toEqual({ url, status: 404 });
      expect(response.headers.get('content-type')).toStartWith('text/html');
      expect(html).toContain('Link not valid');
    }
  });

  test('uses Accept-Language es', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const html = await (await fetch(created.url, { headers: { 'accept-language': 'es-AR,es;q=0.9,en;q=0.5' } })).text();
    expect(html).toContain('lang="es"');
  });

  for (const [locale, dir, heading] of [
    ['en', 'ltr', 'Confirm it is you'],
    ['es', 'ltr', 'Confirma que eres tú'],
    ['pt', 'ltr', 'Confirme que é você'],
    ['fr', 'ltr', 'Confirmez votre identité'],
    ['id', 'ltr', 'Pastikan ini memang Anda'],
    ['ar', 'rtl', 'تأكيد هويتك'],
  ] as const) {
    test(`renders ${locale} as ${dir}`, async () => {
      const created = await askgate.createChallenge(sampleChallenge({ locale }));
      const html = await (await fetch(created.url)).text();
      expect(html).toContain(`<html lang="${locale}" dir="${dir}">`);
      expect(html).toContain(heading);
    });
  }

  test('error pages follow Accept-Language', async () => {
    const response = await fetch(`${askgate.webUrl}/c/${'D'.repeat(32)}`, { headers: { 'accept-language': 'ar-EG,ar;q=0.9' } });
    const html = await response.text();
    expect(response.status).toBe(404);
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('الرابط غير صالح');
  });

  test('prefers challenge locale', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ locale: 'pt' }));
    const html = await (await fetch(created.url, { headers: { 'accept-language': 'es' } })).text();
    expect(html).toContain('lang="pt"');
  });
});

describe('POST /c/:token', () => {
  test('shows attempts left when wrong', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const response = await submitAnswer(created.url, { answer: '1990-04-13' });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('2 attempts left');
    expect(html).toContain('name="answer"');

    const view = await viewOf(askgate, created.id);
    expect(view.attempts).toBe(1);
    expect(view.status).toBe('pending');
  });

  test('locks after last wrong answer', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ max_attempts: 2 }));
    const first = await submitAnswer(created.url, { answer: 'wrong one' });
    expect(await first.text()).toContain('1 attempt left');

    const last = await submitAnswer(created.url, { answer: 'wrong two' });
    const html = await last.text();
    expect(html).toContain('Too many attempts');
    expect(html).not.toContain('name="answer"');

    const view = await viewOf(askgate, created.id);
    expect(view.status).toBe('failed');
    expect(view.attempts).toBe(2);

    const page = await fetch(created.url);
    await page.text();
    expect(page.status).toBe(410);
  });

  test('passes normalised right answer', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ answer: 'José Núñez', question: 'Who is your contact?' }));
    const response = await submitAnswer(created.url, { answer: '  jose   NUNEZ ' });
    const html = await response.text();
    expect(response.status).toBe(200);

    const view = await viewOf(askgate, created.id);
    expect(view.status).toBe('passed');
    const returnCode = view.return_code as string;
    expect(returnCode).toMatch(/^[A-Z2-9]{7}$/);

    const link = returnLinkOf(html);
    expect(link).toStartWith('https://wa.me/5491122334455?text=');
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${link.replaceAll('&', '&amp;')}"`);
    const text = new URL(link).searchParams.get('text') ?? '';
    expect(text).toContain(returnCode);
    expect(text).toBe(`Back from verification ${returnCode}`);
    expect(text.toLowerCase()).not.toContain('nunez');
    expect(text.toLowerCase()).not.toContain('núñez');
    expect(html.toLowerCase()).not.toContain('nunez');
    expect(html.toLowerCase()).not.toContain('núñez');
  });

  test('returns 410 after passing', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const csrf = csrfFrom(await (await fetch(created.url)).text());
    const first = await postForm(created.url, { csrf, answer: '1990-04-12' });
    await first.text();
    expect(first.status).toBe(200);

    const second = await postForm(created.url, { csrf, answer: '1990-04-12' });
    await second.text();
    expect(second.status).toBe(410);
  });

  test('rejects missing CSRF token', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const response = await postForm(created.url, { answer: '1990-04-12' });
    await response.text();
    expect(response.status).toBe(403);
    expect((await viewOf(askgate, created.id)).attempts).toBe(0);
  });

  test('rejects cross-site submission', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const csrf = csrfFrom(await (await fetch(created.url)).text());
    const response = await postForm(created.url, { csrf, answer: '1990-04-12' }, { 'sec-fetch-site': 'cross-site' });
    await response.text();
    expect(response.status).toBe(403);
    expect((await viewOf(askgate, created.id)).status).toBe('pending');
  });

  test('rejects answer in query', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const csrf = csrfFrom(await (await fetch(created.url)).text());
    const response = await postForm(`${created.url}?answer=x`, { csrf, answer: '1990-04-12' });
    await response.text();
    expect(response.status).toBe(400);
    expect((await viewOf(askgate, created.id)).attempts).toBe(0);
  });

  test('re-renders form on empty answer', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const response = await submitAnswer(created.url, { answer: '   ' });
    const html = await response.text();
    expect(response.status).toBe(422);
    expect(html).toContain('name="answer"');
    expect(html).toContain('Please answer every question.');
    expect((await viewOf(askgate, created.id)).attempts).toBe(0);
  });

  test('returns 404 for unknown token', async () => {
    const response = await postForm(`${askgate.webUrl}/c/${'B'.repeat(32)}`, { csrf: 'x', answer: 'y' });
    await response.text();
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toStartWith('text/html');
  });
});

describe('page expiry', () => {
  let shortLived: Askgate;

  beforeAll(async () => {
    shortLived = await startAskgate({ ASKGATE_RETENTION: '1' });
  });

  afterAll(async () => {
    await shortLived.stop();
  });

  test('expires then drops challenge', async () => {
    const created = await shortLived.createChallenge(sampleChallenge({ expires_in: 10 }));
    const expiresAt = Date.parse(created.expires_at);

    await Bun.sleep(Math.max(expiresAt + 500 - Date.now(), 0));
    const page = await fetch(created.url);
    const html = await page.text();
    expect(page.status).toBe(410);
    expect(html).toContain('This link has expired');
    expect((await viewOf(shortLived, created.id)).status).toBe('expired');

    // Retention ends 1 s after expires_at, and the extra 300 ms gives the timer time to run.
    await Bun.sleep(Math.max(expiresAt + 1300 - Date.now(), 0));
    const afterRetention = await shortLived.api(`/v1/challenges/${created.id}`);
    await afterRetention.text();
    expect(afterRetention.status).toBe(404);
  }, 20_000);
});
