import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openContext } from '../support/browser.ts';
import { startAskgate, type Askgate } from '../support/harness.ts';
import { fillAnswers, fiveQuestions, fiveRightAnswers, fiveRightAnswersArabicDigits, freshClientId } from '../support/questions.ts';

let askgate: Askgate;
let browser: Browser;

beforeAll(async () => {
  askgate = await startAskgate({ ASKGATE_RETURN_URL_HOSTS: 'shop.example' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await askgate.stop();
});

async function returnCodeOf(id: string): Promise<string> {
  const view = await (await askgate.api(`/v1/challenges/${id}`)).json();
  expect(view.status).toBe('passed');
  return view.return_code as string;
}

/** Polls until the page has tried to open `link` by itself (the success page's refresh). */
async function waitForRequest(requests: string[], link: string): Promise<boolean> {
  for (let tries = 0; tries < 50; tries++) {
    if (requests.includes(link)) return true;
    await Bun.sleep(100);
  }
  return false;
}

describe('five question types in Chromium', () => {
  test('English flow passes', async () => {
    const created = await askgate.createChallenge({
      client_id: freshClientId('flow-en'),
      locale: 'en',
      questions: fiveQuestions,
      return: { channel: 'whatsapp', phone: '+5491122334455', text: 'Back from verification {code}' },
    });
    const { context, page, deepLinkRequests } = await openContext(browser);
    try {
      await page.goto(created.url);
      expect(await page.locator('input[name^="answer."]').count()).toBe(7);
      await fillAnswers(page, fiveRightAnswers);
      await page.click('button[type="submit"]');

      const link = page.locator('#return-link');
      expect(await link.textContent()).toBe('Back to WhatsApp');
      const href = (await link.getAttribute('href')) ?? '';
      const code = await returnCodeOf(created.id);
      expect(href).toBe(`https://wa.me/5491122334455?text=${encodeURIComponent(`Back from verification ${code}`)}`);
      expect(await waitForRequest(deepLinkRequests, href)).toBe(true);
    } finally {
      await context.close();
    }
  });

  test('Arabic page is right to left', async () => {
    const created = await askgate.createChallenge({
      client_id: freshClientId('flow-ar'),
      locale: 'ar',
      questions: fiveQuestions,
      return: { channel: 'whatsapp', phone: '+971501234567' },
    });
    const { context, page } = await openContext(browser);
    try {
      await page.goto(created.url);
      expect(await page.evaluate(() => document.documentElement.getAttribute('dir'))).toBe('rtl');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
      expect(await page.evaluate(() => getComputedStyle(document.body).direction)).toBe('rtl');
      expect(await page.textContent('h1')).toBe('تأكيد هويتك');
      expect(await page.textContent('#q-2-hint')).toBe('اليوم/الشهر/السنة، مثل 31/12/1990');

      await fillAnswers(page, fiveRightAnswersArabicDigits);
      await page.click('button[type="submit"]');
      expect(await page.evaluate(() => document.documentElement.getAttribute('dir'))).toBe('rtl');
      expect(await page.textContent('#return-link')).toBe('العودة إلى WhatsApp');

      const code = await returnCodeOf(created.id);
      const href = (await page.getAttribute('#return-link', 'href')) ?? '';
      expect(new URL(href).searchParams.get('text')).toBe(`اكتمل التحقق. الرمز ${code}`);
    } finally {
      await context.close();
    }
  });

  test('flow completes without JavaScript', async () => {
    const created = await askgate.createChallenge({
      client_id: freshClientId('flow-nojs'),
      locale: 'es',
      questions: fiveQuestions,
      return: { channel: 'whatsapp', phone: '+5491122334455' },
    });
    const { context, page } = await openContext(browser, { javaScriptEnabled: false });
    try {
      await page.goto(created.url);
      await fillAnswers(page, { ...fiveRightAnswers, 'answer.dob': '13/04/1990' });
      await page.click('button[type="submit"]');
      expect(await page.textContent('#notice')).toContain('Te quedan 2 intentos');

      await fillAnswers(page, fiveRightAnswers);
      await page.click('button[type="submit"]');
      expect(await page.textContent('#return-link')).toBe('Volver a WhatsApp');
      expect(await page.textContent('h1')).toBe('Verificado');
      await returnCodeOf(created.id);
    } finally {
      await context.close();
    }
  });
});

describe('return channels in Chromium', () => {
  const channels: { name: string; target: Record<string, unknown>; label: string; link: (code: string) => string }[] = [
    {
      name: 'whatsapp default text',
      target: { channel: 'whatsapp', phone: '+5511987654321' },
      label: 'Back to WhatsApp',
      link: (code) => `https://wa.me/5511987654321?text=${encodeURIComponent(`Verification complete. Code ${code}`)}`,
    },
    {
      name: 'telegram with payload',
      target: { channel: 'telegram', bot: '@acme_help_bot', payload: 'order-42_ok' },
      label: 'Back to Telegram',
      link: () => 'https://t.me/acme_help_bot?start=order-42_ok',
    },
    {
      name: 'telegram without payload',
      target: { channel: 'telegram', bot: 'acme_help_bot' },
      label: 'Back to Telegram',
      link: (code) => `https://t.me/acme_help_bot?start=${code}`,
    },
    {
      name: 'telegram payload of 64',
      target: { channel: 'telegram', bot: 'acme_help_bot', payload: 'x'.repeat(64) },
      label: 'Back to Telegram',
      link: () => `https://t.me/acme_help_bot?start=${'x'.repeat(64)}`,
    },
    {
      name: 'messenger with ref',
      target: { channel: 'messenger', page: 'acme.help', ref: 'case 42/ok' },
      label: 'Back to Messenger',
      link: () => 'https://m.me/acme.help?ref=case%2042%2Fok',
    },
    {
      name: 'messenger without ref',
      target: { channel: 'messenger', page: 'acmehelp' },
      label: 'Back to Messenger',
      link: (code) => `https://m.me/acmehelp?ref=${code}`,
    },
    {
      name: 'allow-listed url',
      target: { channel: 'url', url: 'https://shop.example/orders/42?step=verified' },
      label: 'Continue',
      link: (code) => `https://shop.example/orders/42?step=verified&askgate_code=${code}`,
    },
  ];

  for (const { name, target, label, link } of channels) {
    test(`${name} link`, async () => {
      const created = await askgate.createChallenge({
        client_id: freshClientId('channel'),
        locale: 'en',
        question: 'What was the name of your first pet?',
        answer: 'Rex',
        return: target,
      });
      const { context, page, deepLinkRequests } = await openContext(browser);
      try {
        await page.goto(created.url);
        await page.fill('input[name="answer"]', 'rex');
        await page.click('button[type="submit"]');

        const code = await returnCodeOf(created.id);
        expect(await page.textContent('#return-link')).toBe(label);
        expect(await page.getAttribute('#return-link', 'href')).toBe(link(code));
        expect(await waitForRequest(deepLinkRequests, link(code))).toBe(true);
      } finally {
        await context.close();
      }
    });
  }

  test('telegram payload of 65 rejected', async () => {
    const response = await askgate.api('/v1/challenges', {
      body: { client_id: freshClientId('channel'), question: 'Pet?', answer: 'Rex', return: { channel: 'telegram', bot: 'acme_help_bot', payload: 'x'.repeat(65) } },
    });
    const problem = await response.json();
    expect(response.status).toBe(400);
    expect(problem.errors.map((error: { field: string }) => error.field)).toContain('return.payload');
  });
});
