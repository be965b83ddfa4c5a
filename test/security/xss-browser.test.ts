import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, newLoopbackContext } from '../support/browser.ts';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

/** Markup that would add an element, run a script or open a dialog if the page did not escape it. */
const payloads = [
  `<script>alert('q1')</script>`,
  `<img src=x onerror="alert('q2')">`,
  `"><svg onload=alert('q3')>`,
  `</label><iframe src="javascript:alert('q4')"></iframe>`,
  `' autofocus onfocus=alert('q5') x='`,
  `<b>bold</b> &lt;entity&gt; &amp; {{7*7}} \${alert('q6')}`,
];

/** Selector for elements that no askgate page contains by itself. */
const injectedElements = 'script, img, svg, iframe, object, embed, b, video, audio, base';

let askgate: Askgate;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  askgate = await startAskgate({ ASKGATE_RETURN_URL_HOSTS: 'shop.example.com' });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await closeBrowser(browser);
  await askgate?.stop();
});

/** Opens a page in a fresh loopback-only context and records every dialog it tries to open. */
async function openPage(): Promise<{ page: Page; dialogs: string[] }> {
  const context = await newLoopbackContext(browser, { locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, dialogs };
}

/** Names every attribute in the document that starts with "on" (an event handler). */
function eventHandlerAttributes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('*')).flatMap((element) =>
      Array.from(element.attributes)
        .filter((attribute) => attribute.name.toLowerCase().startsWith('on'))
        .map((attribute) => `${element.tagName}.${attribute.name}`),
    ),
  );
}

describe('XSS in Chromium', () => {
  for (const [index, payload] of payloads.entries()) {
    test(`question payload ${index + 1} is text`, async () => {
      const metadataPayload = `<svg onload=alert('meta${index}')>`;
      const created = await askgate.createChallenge(sampleChallenge({ question: payload, metadata: { note: metadataPayload } }));
      const { page, dialogs } = await openPage();

      const opened = await page.goto(created.url);
      await page.waitForTimeout(100);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('label[for="q-0"]').textContent()).toBe(payload);
      expect(await page.locator(injectedElements).count()).toBe(0);
      expect(await eventHandlerAttributes(page)).toEqual([]);
      expect(await page.locator('input').count()).toBe(2);
      // Metadata belongs to the bot and never reaches the page.
      expect(await page.content()).not.toContain(`meta${index}`);
      expect(dialogs).toEqual([]);
    });
  }

  test('prompts of several questions are text', async () => {
    const questions = payloads.map((prompt, index) => ({ id: `q${index}`, prompt, answer: 'x' }));
    const created = await askgate.createChallenge(sampleChallenge({ question: undefined, answer: undefined, questions }));
    const { page, dialogs } = await openPage();

    await page.goto(created.url);
    await page.waitForTimeout(100);
    const labels = await page.locator('label').allTextContents();
    expect(labels).toEqual(payloads);
    expect(await page.locator(injectedElements).count()).toBe(0);
    expect(await eventHandlerAttributes(page)).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  test('return text stays in the link', async () => {
    const text = `"><script>alert('r1')</script><img src=x onerror=alert('r2')> {code}`;
    const created = await askgate.createChallenge(
      sampleChallenge({ question: payloads[1], return: { channel: 'whatsapp', phone: '+5491122334455', text } }),
    );
    const { page, dialogs } = await openPage();

    await page.goto(created.url);
    await page.fill('#q-0', '1990-04-12');
    await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.press('#q-0', 'Enter')]);
    await page.waitForLoadState('domcontentloaded');

    const href = (await page.locator('#return-link').getAttribute('href')) ?? '';
    expect(href).toStartWith('https://wa.me/5491122334455?text=');
    expect(new URL(href).searchParams.get('text')).toStartWith(`"><script>alert('r1')</script>`);
    expect(await page.locator(injectedElements).count()).toBe(0);
    expect(await eventHandlerAttributes(page)).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  test('return URL stays in the link', async () => {
    const created = await askgate.createChallenge(
      sampleChallenge({ return: { channel: 'url', url: `https://shop.example.com/back?next="><svg onload=alert('u1')>` } }),
    );
    const { page, dialogs } = await openPage();

    await page.goto(created.url);
    await page.fill('#q-0', '1990-04-12');
    await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.press('#q-0', 'Enter')]);
    await page.waitForLoadState('domcontentloaded');

    const href = (await page.locator('#return-link').getAttribute('href')) ?? '';
    expect(new URL(href).hostname).toBe('shop.example.com');
    expect(href).not.toContain('<');
    expect(href).not.toContain('"');
    expect(await page.locator(injectedElements).count()).toBe(0);
    expect(await eventHandlerAttributes(page)).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});

describe('XSS in tenant branding', () => {
  test('display name payload is text', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const folder = mkdtempSync(join(tmpdir(), 'askgate-xss-tenant-'));
    const displayName = `<img src=x onerror="alert('t1')">`;
    writeFileSync(join(folder, 'tenants.json'), JSON.stringify({ default: { display_name: displayName } }));
    const branded = await startAskgate({ ASKGATE_TENANTS_FILE: join(folder, 'tenants.json') });
    try {
      const created = await branded.createChallenge(sampleChallenge());
      const { page, dialogs } = await openPage();
      await page.goto(created.url);
      await page.waitForTimeout(200);

      expect(await page.locator(injectedElements).count()).toBe(0);
      expect(await eventHandlerAttributes(page)).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(await page.locator('body').innerText()).toContain(displayName);
    } finally {
      await branded.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
