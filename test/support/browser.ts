import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

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
 * Opens a browser context whose requests to any host but 127.0.0.1 are aborted before they
 * reach the network. The `request` event still reports them. The resolver rule alone is not
 * enough: after a navigation fails with ERR_NAME_NOT_RESOLVED, Chromium's error page sends DNS
 * probes for google.com to the system resolver and to 8.8.8.8 (seen with strace on Debian's
 * Chromium 156), so such navigations must never reach the resolver.
 */
export async function newLoopbackContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
  return context;
}

/** Closes the browser and its processes; safe to call when the launch failed. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (browser !== undefined) await browser.close();
}
