import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { normaliseText } from '../../src/challenge/answer-types/text.ts';
import type { Challenge } from '../../src/challenge/challenge.ts';
import { hashAnswer } from '../../src/challenge/verifier/hash-verifier.ts';
import { contrastRatio, parseHexColor } from '../../src/web/branding/contrast.ts';
import { darkPalette, lightPalette } from '../../src/web/branding/palette.ts';
import { buildThemeStylesheet } from '../../src/web/branding/theme-css.ts';
import { sha256 } from '../../src/security/digest.ts';
import { randomBase64Url } from '../../src/security/random.ts';
import { csrfFrom, sampleChallenge, startAskgate, testSecret, type Askgate } from '../support/harness.ts';
import { makeTenantFolder, pngBytes, svgText } from '../support/tenant-files.ts';

let folder: ReturnType<typeof makeTenantFolder>;
let askgate: Askgate;

beforeAll(async () => {
  folder = makeTenantFolder();
  folder.write('default.svg', svgText);
  folder.write('acme.png', pngBytes);
  const tenantsFile = folder.write('tenants.json', JSON.stringify({
    default: {
      display_name: 'Banco <b>Sur</b> & "Co"',
      accent_color: '#0b6e4f',
      logo: 'default.svg',
      messages: { es: { 'question.heading': 'Confirma tu identidad en Banco Sur' } },
    },
    acme: { display_name: 'Acme', accent_color: '#5b2a86', logo: 'acme.png' },
  }));
  askgate = await startAskgate({ ASKGATE_TENANTS_FILE: tenantsFile, ASKGATE_RETURN_URL_HOSTS: 'shop.example' });
});

afterAll(async () => {
  await askgate.stop();
  folder.remove();
});

/** Stores a pending challenge of `tenantId` directly, since the test server has keys for `default` only. */
async function storeChallenge(tenantId: string): Promise<{ url: string; challenge: Challenge }> {
  const token = randomBase64Url(24);
  const id = 'chl_' + randomBase64Url(16);
  const now = Date.now();
  const challenge: Challenge = {
    id,
    tenantId,
    clientId: `brand-${id}`,
    tokenHash: sha256(token),
    questions: [{ id: 'q1', prompt: 'Name of your first pet?', type: 'text', answerHash: hashAnswer(testSecret, id, 'q1', normaliseText('Rex')) }],
    verifier: { kind: 'hash' },
    returnTarget: { channel: 'url', url: 'https://shop.example/back' },
    locale: null,
    metadata: {},
    status: 'pending',
    attempts: 0,
    maxAttempts: 3,
    createdAt: now,
    expiresAt: now + 300_000,
    completedAt: null,
    returnCode: null,
    confirmedAt: null,
    webhookUrl: null,
  };
  const result = await askgate.store.createChallenge(challenge, { maxPendingTotal: 1000, maxPendingPerClient: 1 }, now);
  if (!result.created) throw new Error('store refused the test challenge');
  return { url: `${askgate.webUrl}/c/${token}`, challenge };
}

describe('tenant assets', () => {
  test('serves theme stylesheet', async () => {
    const response = await fetch(`${askgate.webUrl}/assets/theme/default.css`);
    const css = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css).toContain('--accent:#0b6e4f');
  });

  test('serves SVG logo under its own policy', async () => {
    const response = await fetch(`${askgate.webUrl}/assets/logo/default.svg`);
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(body).toBe(svgText);
  });

  test('serves PNG logo', async () => {
    const response = await fetch(`${askgate.webUrl}/assets/logo/acme.png`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(bytes.equals(pngBytes)).toBe(true);
  });

  test('returns 404 for other names', async () => {
    for (const path of ['/assets/logo/acme.svg', '/assets/logo/other.png', '/assets/theme/other.css', '/assets/logo/..%2Ftenants.json']) {
      const response = await fetch(askgate.webUrl + path);
      await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });
});

describe('branded page', () => {
  test('shows escaped display name', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const html = await (await fetch(created.url)).text();
    expect(html).toContain('Banco &lt;b&gt;Sur&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(html).not.toContain('<b>Sur</b>');
  });

  test('links theme and logo', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const html = await (await fetch(created.url)).text();
    expect(html).toContain('<link rel="stylesheet" href="/assets/theme/default.css"');
    expect(html).toContain('<img class="logo" src="/assets/logo/default.svg" alt=""');
  });

  test('uses message overrides', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ locale: 'es' }));
    const html = await (await fetch(created.url)).text();
    expect(html).toContain('Confirma tu identidad en Banco Sur');
    expect(html).toContain('Continuar');
  });

  test('keeps built-in texts in other locales', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ locale: 'pt' }));
    const html = await (await fetch(created.url)).text();
    expect(html).toContain('Confirme que é você');
  });

  test('unknown link uses default branding', async () => {
    const html = await (await fetch(`${askgate.webUrl}/c/${'C'.repeat(32)}`)).text();
    expect(html).toContain('/assets/theme/default.css');
  });

  test('tenant gets its own branding', async () => {
    const { url } = await storeChallenge('acme');
    const html = await (await fetch(url)).text();
    expect(html).toContain('/assets/theme/acme.css');
    expect(html).toContain('/assets/logo/acme.png');
    expect(html).toContain('>Acme</span>');
    expect(html).not.toContain('Banco');
  });

  test('unlisted tenant falls back to default', async () => {
    const { url } = await storeChallenge('unlisted');
    const html = await (await fetch(url)).text();
    expect(html).toContain('/assets/theme/default.css');
  });

  test('url return button names the tenant', async () => {
    const { url } = await storeChallenge('acme');
    const csrf = csrfFrom(await (await fetch(url)).text());
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, answer: 'rex' }).toString(),
    });
    const html = await response.text();
    expect(html).toMatch(/<a id="return-link" class="button" href="https:\/\/shop\.example\/back\?askgate_code=[A-Z2-9]{7}">Back to Acme<\/a>/);
  });
});

describe('theme colours', () => {
  test('page.css uses the checked palette', async () => {
    const css = await Bun.file(new URL('../../src/web/page.css', import.meta.url)).text();
    const light = /:root \{([^}]*)\}/.exec(css)?.[1] ?? '';
    const dark = /prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}/.exec(css)?.[1] ?? '';
    expect(light).toContain(`--card: ${lightPalette.card};`);
    expect(light).toContain(`--accent-text: ${lightPalette.buttonText};`);
    expect(dark).toContain(`--card: ${darkPalette.card};`);
    expect(dark).toContain(`--accent: ${darkPalette.accent};`);
    expect(dark).toContain(`--accent-text: ${darkPalette.buttonText};`);
  });

  test('contrast ratio matches WCAG examples', () => {
    const ratio = (a: string, b: string) => contrastRatio(parseHexColor(a)!, parseHexColor(b)!);
    expect(ratio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(ratio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(ratio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(ratio('#0b6e4f', '#ffffff')).toBeGreaterThan(4.5);
  });

  test('dark theme keeps a dim accent out', () => {
    const css = buildThemeStylesheet('#0b6e4f');
    expect(css).toContain(':root{--accent:#0b6e4f;--accent-text:#ffffff}');
    expect(css).toContain(`@media (prefers-color-scheme:dark){:root{--accent:${darkPalette.accent};--accent-text:${darkPalette.buttonText}}}`);
  });

  test('dark theme takes a bright accent', () => {
    // #d0006f is 5.4:1 on white and 3.1:1 on the dark card.
    const css = buildThemeStylesheet('#d0006f');
    expect(css).toContain('@media (prefers-color-scheme:dark){:root{--accent:#d0006f;--accent-text:#ffffff}}');
    expect(contrastRatio(parseHexColor('#d0006f')!, parseHexColor(darkPalette.card)!)).toBeGreaterThanOrEqual(3);
  });
});
