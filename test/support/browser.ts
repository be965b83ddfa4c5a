import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium. playwright-core never downloads a browser of its own. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Chromium switches for tests that must reach nothing but servers on 127.0.0.1:
 * every other host name fails to resolve, no proxy is used, and the browser's own
 * background traffic (component updates, sync, background networking) is off. The resolver rule is one argument,
 * passed without a shell, so it needs no quoting.
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
  '--no-proxy-server',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/**
 * Launches headless Chromium for one test file. Playwright gives each launch a fresh temporary
 * profile (user data directory) and deletes it on close.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing. Install Debian's chromium package (apt-get install -y chromium).`);
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 });
}

/**
 * Opens a browser context in which no request leaves 127.0.0.1. An https navigation elsewhere
 * (the chat deep links) gets an empty 204 reply, so Chromium stays on the success page; any other
 * request is aborted. The `request` event still reports both. The resolver rule alone is not
 * enough: after a navigation fails with ERR_NAME_NOT_RESOLVED, Chromium's error page sends DNS
 * probes for google.com to the system resolver and to 8.8.8.8 (seen with strace on Debian's
 * Chromium 156), so such navigations must never reach the resolver.
 */
export async function newLoopbackContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => (route.request().url().startsWith('https://') ? route.fulfill({ status: 204, body: '' }) : route.abort('blockedbyclient')),
  );
  return context;
}

/** Closes the browser and its processes; safe to call when the launch failed. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (browser !== undefined) await browser.close();
}

/** Starts the Debian Chromium at /usr/bin/chromium; playwright-core never downloads a browser. */
export function launchChromium(): Promise<Browser> {
  return launchBrowser();
}

/** The phone and desktop viewports every page is checked at. */
export const viewports = [
  { name: 'phone', width: 360, height: 640 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

export const deepLinkHosts = ['wa.me', 't.me', 'm.me'];

/** Opens a loopback-only context and a page, and records the deep links the page tried to open. */
export async function openContext(browser: Browser, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; deepLinkRequests: string[] }> {
  const context = await newLoopbackContext(browser, options);
  const deepLinkRequests: string[] = [];
  context.on('request', (request) => {
    if (request.url().startsWith('https://') && new URL(request.url()).hostname !== '127.0.0.1') deepLinkRequests.push(request.url());
  });
  const page = await context.newPage();
  return { context, page, deepLinkRequests };
}
