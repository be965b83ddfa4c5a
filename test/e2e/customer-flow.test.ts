import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { closeBrowser, launchBrowser, newLoopbackContext } from '../support/browser.ts';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

const artifactsDir = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const whatsappPrefix = 'https://wa.me/5491122334455?text=';
const rightAnswer = '1990-04-12';
const phoneViewport = { width: 360, height: 640 };

/** Collects the page's navigation requests to wa.me. `next()` waits for the first one. */
function watchWhatsappNavigations(page: Page) {
  const seen: Request[] = [];
  let notify: ((request: Request) => void) | null = null;
  page.on('request', (request) => {
    if (!request.isNavigationRequest() || !request.url().startsWith('https://wa.me/')) return;
    seen.push(request);
    notify?.(request);
  });
  return {
    seen,
    next: (timeoutMs: number): Promise<Request> =>
      seen[0] !== undefined
        ? Promise.resolve(seen[0])
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no navigation to wa.me within ${timeoutMs} ms`)), timeoutMs);
            notify = (request) => {
              clearTimeout(timer);
              resolve(request);
            };
          }),
  };
}

/** Waits for the response to the form's POST while `submit` sends it. */
async function submitForm(page: Page, submit: () => Promise<void>) {
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.request().method() === 'POST' && candidate.url().includes('/c/')),
    submit(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

describe('customer flow', () => {
  let askgate: Askgate;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    askgate = await startAskgate();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await closeBrowser(browser);
    await askgate?.stop();
  });

  test('passes after one wrong answer', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ max_attempts: 3 }));
    const context = await newLoopbackContext(browser, { viewport: phoneViewport, locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    const whatsapp = watchWhatsappNavigations(page);

    const opened = await page.goto(created.url);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Confirm it is you');
    expect(await page.locator('label[for="q-0"]').textContent()).toBe('What is your date of birth?');
    await page.screenshot({ path: artifactsDir + 'customer-flow-en-question.png', fullPage: true });

    await page.fill('#q-0', '1991-01-01');
    const wrong = await submitForm(page, () => page.press('#q-0', 'Enter'));
    expect(wrong.status()).toBe(200);
    expect(await page.locator('#notice').textContent()).toBe('An answer was not right. You have 2 attempts left.');

    await page.fill('#q-0', rightAnswer);
    const right = await submitForm(page, () => page.press('#q-0', 'Enter'));
    expect(right.status()).toBe(200);
    const returnHref = await page.locator('#return-link').getAttribute('href');
    expect(returnHref?.startsWith(whatsappPrefix)).toBe(true);
    expect(await page.locator('#return-link').textContent()).toBe('Back to WhatsApp');
    await page.screenshot({ path: artifactsDir + 'customer-flow-en-success.png', fullPage: true });

    // The success page moves to WhatsApp by itself through its meta refresh.
    const navigation = await whatsapp.next(10_000);
    expect(navigation.frame()).toBe(page.mainFrame());
    expect(navigation.url()).toBe(returnHref as string);

    const response = await askgate.api(`/v1/challenges/${created.id}`);
    expect(response.status).toBe(200);
    const record = await response.json();
    expect(record.status).toBe('passed');
    expect(record.attempts).toBe(2);
    expect(typeof record.return_code).toBe('string');

    const text = new URL(navigation.url()).searchParams.get('text') ?? '';
    expect(text).toBe(`Back from verification ${record.return_code}`);
    expect(text).not.toContain(rightAnswer);
    expect(navigation.url()).not.toContain(encodeURIComponent(rightAnswer));
  });

  test('works in Spanish without JavaScript', async () => {
    const created = await askgate.createChallenge(
      sampleChallenge({
        max_attempts: 3,
        locale: 'es',
        question: '¿Cuál es tu fecha de nacimiento?',
        return: { channel: 'whatsapp', phone: '+5491122334455' },
      }),
    );
    // An English browser: the challenge's locale decides the language.
    const context = await newLoopbackContext(browser, { viewport: phoneViewport, javaScriptEnabled: false, locale: 'en-US' });
    contexts.push(context);
    const page = await context.newPage();
    const whatsapp = watchWhatsappNavigations(page);

    const opened = await page.goto(created.url);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.locator('h1').textContent()).toBe('Confirma que eres tú');
    expect(await page.locator('label[for="q-0"]').textContent()).toBe('¿Cuál es tu fecha de nacimiento?');
    expect(await page.locator('button[type="submit"]').textContent()).toBe('Continuar');
    await page.screenshot({ path: artifactsDir + 'customer-flow-es-question.png', fullPage: true });

    await page.fill('#q-0', 'no me acuerdo');
    const wrong = await submitForm(page, () => page.click('button[type="submit"]'));
    expect(wrong.status()).toBe(200);
    expect(await page.locator('#notice').textContent()).toBe('Una respuesta no es correcta. Te quedan 2 intentos.');

    await page.fill('#q-0', rightAnswer);
    const right = await submitForm(page, () => page.click('button[type="submit"]'));
    expect(right.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.locator('h1').textContent()).toBe('Verificado');
    const returnHref = await page.locator('#return-link').getAttribute('href');
    expect(returnHref?.startsWith(whatsappPrefix)).toBe(true);
    expect(await page.locator('#return-link').textContent()).toBe('Volver a WhatsApp');
    await page.screenshot({ path: artifactsDir + 'customer-flow-es-success.png', fullPage: true });

    const navigation = await whatsapp.next(10_000);
    expect(navigation.url()).toBe(returnHref as string);

    const record = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(record.status).toBe('passed');
    expect(record.attempts).toBe(2);

    const text = new URL(navigation.url()).searchParams.get('text') ?? '';
    expect(text).toBe(`Verificación completa. Código ${record.return_code}`);
    expect(text).not.toContain(rightAnswer);
  });
});
