import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium, openContext, viewports } from '../support/browser.ts';
import { startAskgate, type Askgate } from '../support/harness.ts';
import { fillAnswers, fiveQuestions, fiveRightAnswers, freshClientId } from '../support/questions.ts';
import { makeTenantFolder, svgText } from '../support/tenant-files.ts';

const states = ['question', 'wrong', 'locked', 'expired', 'success'] as const;
type PageState = (typeof states)[number];
const locales = ['en', 'ar'] as const;
type TestLocale = (typeof locales)[number];

const screenshotDir = resolve(import.meta.dir, '../../test-artifacts/screenshots');
const axeSource = await Bun.file(resolve(import.meta.dir, '../../node_modules/axe-core/axe.min.js')).text();
const maxPageBytes = 15 * 1024;
/** Chromium runs on a shared 2-core machine, and expired-page tests wait out a 10-second lifetime. */
const browserTestTimeoutMs = 30_000;

let folder: ReturnType<typeof makeTenantFolder>;
let askgate: Askgate;
let browser: Browser;
/** Challenges created with the shortest lifetime at start-up, so they have expired when needed. */
const expiring: Partial<Record<TestLocale, { url: string; expiresAt: number }>> = {};

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  folder = makeTenantFolder();
  folder.write('logo.svg', svgText);
  const tenantsFile = folder.write('tenants.json', JSON.stringify({ default: { display_name: 'Banco Sur', accent_color: '#0b6e4f', logo: 'logo.svg' } }));
  askgate = await startAskgate({ ASKGATE_TENANTS_FILE: tenantsFile });
  browser = await launchChromium();
  for (const locale of locales) {
    const created = await askgate.createChallenge(challengeBody(locale, { expires_in: 10 }));
    expiring[locale] = { url: created.url, expiresAt: Date.parse(created.expires_at) };
  }
});

afterAll(async () => {
  await browser.close();
  await askgate.stop();
  folder.remove();
});

function challengeBody(locale: TestLocale, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: freshClientId(`quality-${locale}`),
    locale,
    questions: fiveQuestions,
    return: { channel: 'whatsapp', phone: '+5491122334455' },
    ...overrides,
  };
}

/** Brings `page` to one of the five page states through the real flow. */
async function visit(page: Page, state: PageState, locale: TestLocale): Promise<void> {
  if (state === 'expired') {
    const { url, expiresAt } = expiring[locale]!;
    await Bun.sleep(Math.max(expiresAt + 200 - Date.now(), 0));
    const response = await page.goto(url);
    expect(response?.status()).toBe(410);
    return;
  }

  const created = await askgate.createChallenge(challengeBody(locale, state === 'locked' ? { max_attempts: 1 } : {}));
  await page.goto(created.url);
  if (state === 'question') return;

  const answers = state === 'success' ? fiveRightAnswers : { ...fiveRightAnswers, 'answer.pin': '0000' };
  await fillAnswers(page, answers);
  await page.click('button[type="submit"]');
}

/** The control a customer acts on in each state; the message pages have none. */
const mainControl: Record<PageState, string | null> = {
  question: 'button[type="submit"]',
  wrong: 'button[type="submit"]',
  locked: null,
  expired: null,
  success: '#return-link',
};

describe('accessibility', () => {
  for (const locale of locales) {
    for (const state of states) {
      test(`axe finds nothing on ${state} (${locale})`, async () => {
        // The page CSP forbids every script, so this context bypasses CSP to inject axe-core
        // with addScriptTag. Other tests keep CSP on.
        const { context, page } = await openContext(browser, { bypassCSP: true });
        try {
          await visit(page, state, locale);
          await page.addScriptTag({ content: axeSource });
          const result = await page.evaluate(async () => {
            type AxeResults = { passes: unknown[]; violations: { id: string; nodes: { target: string[] }[] }[] };
            const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe;
            const { passes, violations } = await axe.run(document);
            return {
              passed: passes.length,
              violations: violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
            };
          });
          expect(result.violations).toEqual([]);
          // A run that checked nothing would also report no violation.
          expect(result.passed).toBeGreaterThan(10);
        } finally {
          await context.close();
        }
      }, browserTestTimeoutMs);
    }
  }
});

describe('page weight', () => {
  for (const locale of locales) {
    for (const state of states) {
      test(`${state} (${locale}) fits 15 KB`, async () => {
        const { context, page } = await openContext(browser, { javaScriptEnabled: false });
        const sizes: Record<string, number> = {};
        const reads: Promise<void>[] = [];
        const foreignLoads: string[] = [];
        page.on('request', (request) => {
          // Navigations to the chat deep links are expected; anything else must come from askgate.
          if (request.resourceType() !== 'document' && !request.url().startsWith(askgate.webUrl)) foreignLoads.push(request.url());
        });
        page.on('response', (response) => {
          const type = response.request().resourceType();
          if (!response.url().startsWith(askgate.webUrl) || (type !== 'document' && type !== 'stylesheet')) return;
          // Earlier documents of the flow are replaced by later ones under the same URL.
          reads.push(response.body().then((body) => void (sizes[response.url()] = body.length)));
        });
        try {
          await visit(page, state, locale);
          await page.waitForLoadState('load');
          await Promise.all(reads);
          const urls = Object.keys(sizes);
          const total = Object.values(sizes).reduce((sum, size) => sum + size, 0);
          expect(urls.some((url) => url.endsWith('/assets/page.css'))).toBe(true);
          expect(urls.some((url) => url.endsWith('/assets/theme/default.css'))).toBe(true);
          expect(total).toBeLessThanOrEqual(maxPageBytes);
          expect(await page.locator('script').count()).toBe(0);
          expect(foreignLoads).toEqual([]);
        } finally {
          await context.close();
        }
      }, browserTestTimeoutMs);
    }
  }
});

describe('layout', () => {
  for (const locale of locales) {
    for (const state of states) {
      for (const viewport of viewports) {
        test(`${state} (${locale}) fits ${viewport.width}x${viewport.height}`, async () => {
          const { context, page } = await openContext(browser, { viewport: { width: viewport.width, height: viewport.height } });
          try {
            await visit(page, state, locale);
            await page.screenshot({ path: join(screenshotDir, `${state}-${locale}-${viewport.name}.png`), fullPage: true });

            const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
            expect(widths.scroll).toBeLessThanOrEqual(widths.inner);

            const selector = mainControl[state] ?? 'h1';
            await page.locator(selector).scrollIntoViewIfNeeded();
            const box = await page.locator(selector).boundingBox();
            expect(box).not.toBeNull();
            expect(box!.x).toBeGreaterThanOrEqual(0);
            expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
            expect(box!.y).toBeGreaterThanOrEqual(0);
            expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
            if (state === 'question' || state === 'wrong') {
              const form = await page.locator('form').boundingBox();
              expect(form!.x).toBeGreaterThanOrEqual(0);
              expect(form!.x + form!.width).toBeLessThanOrEqual(viewport.width);
            }
          } finally {
            await context.close();
          }
        }, browserTestTimeoutMs);
      }
    }
  }
});

describe('dark mode', () => {
  async function coloursIn(options: BrowserContextOptions, state: PageState): Promise<{ body: string; card: string; button: string }> {
    const { context, page } = await openContext(browser, { ...options, viewport: { width: 360, height: 640 } });
    try {
      await visit(page, state, 'en');
      await page.screenshot({ path: join(screenshotDir, `${state}-en-phone-${options.colorScheme}.png`), fullPage: true });
      const control = mainControl[state] as string;
      return await page.evaluate((selector) => ({
        body: getComputedStyle(document.body).backgroundColor,
        card: getComputedStyle(document.querySelector('main') as Element).backgroundColor,
        button: getComputedStyle(document.querySelector(selector) as Element).backgroundColor,
      }), control);
    } finally {
      await context.close();
    }
  }

  for (const state of ['question', 'success'] as const) {
    test(`${state} follows color scheme`, async () => {
      const light = await coloursIn({ colorScheme: 'light' }, state);
      const dark = await coloursIn({ colorScheme: 'dark' }, state);
      expect(light.body).toBe('rgb(244, 245, 247)');
      expect(dark.body).toBe('rgb(18, 20, 23)');
      expect(dark.card).not.toBe(light.card);
      // The tenant accent #0b6e4f is too dim on the dark card, so dark mode keeps its own.
      expect(light.button).toBe('rgb(11, 110, 79)');
      expect(dark.button).toBe('rgb(61, 220, 151)');
    }, browserTestTimeoutMs);
  }
});

describe('keyboard', () => {
  for (const locale of locales) {
    test(`completes by keyboard (${locale})`, async () => {
      const created = await askgate.createChallenge(challengeBody(locale));
      const { context, page } = await openContext(browser);
      try {
        await page.goto(created.url);
        const focused = () =>
          page.evaluate(() => {
            const element = document.activeElement as HTMLElement;
            const style = getComputedStyle(element);
            return { id: element.id, tag: element.tagName, outline: style.outlineStyle, outlineWidth: style.outlineWidth, value: (element as HTMLInputElement).value };
          });
        const visited: string[] = [];
        const pressTab = async () => {
          await page.keyboard.press('Tab');
          const now = await focused();
          visited.push(now.tag === 'BUTTON' ? 'button' : now.id.replace(/^(q-3)-\d$/, '$1'));
          expect(now.outline).toBe('solid');
          expect(now.outlineWidth).toBe('3px');
          return now;
        };

        await pressTab();
        await page.keyboard.type('Rex');
        await pressTab();
        await page.keyboard.type('0042');
        await pressTab();
        await page.keyboard.type('12041990');
        await pressTab();
        await page.keyboard.press('Space');
        for (let presses = 0; presses < 3 && (await focused()).value !== 'ros'; presses++) await page.keyboard.press('ArrowDown');
        expect((await focused()).value).toBe('ros');
        await pressTab();
        await page.keyboard.type('7319');
        await pressTab();
        expect(visited).toEqual(['q-0', 'q-1', 'q-2', 'q-3', 'q-4', 'button']);

        await page.keyboard.press('Enter');
        await page.waitForSelector('#return-link');
        const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
        expect(view.status).toBe('passed');

        await page.keyboard.press('Tab');
        const link = await focused();
        expect(link.id).toBe('return-link');
        expect(link.outline).toBe('solid');
      } finally {
        await context.close();
      }
    }, browserTestTimeoutMs);
  }
});
