import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Flags for the system Chromium. The host resolver rule makes every name except 127.0.0.1 fail
 * to resolve, so a page can reach nothing but the askgate under test. The other flags stop
 * Chromium's own background traffic.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Starts the Debian Chromium at /usr/bin/chromium; playwright-core never downloads a browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}

/** The phone and desktop viewports every page is checked at. */
export const viewports = [
  { name: 'phone', width: 360, height: 640 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

export const deepLinkHosts = ['wa.me', 't.me', 'm.me'];

/**
 * Opens a context whose navigations to the chat deep-link hosts (and any https URL) get an
 * empty 204 reply: Chromium then stays on the success page, while `deepLinkRequests` records
 * where the page tried to go.
 */
export async function openContext(browser: Browser, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; deepLinkRequests: string[] }> {
  const context = await browser.newContext(options);
  const deepLinkRequests: string[] = [];
  await context.route(/^https:\/\//, async (route) => {
    deepLinkRequests.push(route.request().url());
    await route.fulfill({ status: 204, body: '' });
  });
  const page = await context.newPage();
  return { context, page, deepLinkRequests };
}
