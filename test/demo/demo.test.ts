import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { closeBrowser, launchBrowser, newLoopbackContext } from '../support/browser.ts';
import { mainPath, readUntil, runCli } from '../support/cli.ts';

const urlPattern = /http:\/\/127\.0\.0\.1:\d+\/\S*/g;

let workDir: string;
let child: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
let firstOutput: string;
/** Everything the demo logs; read in full once it exits. */
let logs: Promise<string>;
let chatUrl: string;
let browser: Browser | undefined;

/** Reads what is left of a stream that readUntil has already read from. */
async function readToEnd(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  return text;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'askgate-demo-'));
  child = Bun.spawn([process.execPath, mainPath, 'demo', '--port', '0', '--api-port', '0', '--web-port', '0', '--log-format', 'json'], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  logs = new Response(child.stderr).text();
  firstOutput = await readUntil(child.stdout, (text) => text.includes('Ctrl-C'), 20_000);
  chatUrl = (firstOutput.match(urlPattern) ?? [])[0] as string;
  browser = await launchBrowser();
});

afterAll(async () => {
  await closeBrowser(browser);
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

describe('askgate demo', () => {
  test('prints one loopback URL', () => {
    expect(firstOutput.match(urlPattern)).toHaveLength(1);
    expect(chatUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(firstOutput).toContain('demo with');
    expect(firstOutput).toContain('throwaway secrets');
  });

  test('output holds no secrets', () => {
    expect(firstOutput).not.toContain('ak_');
    expect(firstOutput).not.toContain('whsec_');
  });

  test('bot rejects unsigned webhook', async () => {
    const response = await fetch(new URL('/webhook', chatUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` },
      body: JSON.stringify({ type: 'challenge.passed', timestamp: new Date().toISOString(), data: { id: 'chl_forged' } }),
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('bad_signature');
  });

  test('customer flow runs in Chromium', async () => {
    const context = await newLoopbackContext(browser as Browser);
    const page = await context.newPage();
    try {
      await page.goto(chatUrl);
      expect(await page.locator('.tone-hint').last().textContent()).toContain("the demo's answer is 1990-04-12");

      await page.locator('a.verify-link').last().click();
      await page.waitForURL((url) => url.pathname.startsWith('/c/'));
      expect(new URL(page.url()).port).not.toBe(new URL(chatUrl).port);
      expect(await page.locator('label[for="q-0"]').textContent()).toBe('What is your date of birth?');

      await page.fill('input[name="answer"]', '1991-01-01');
      await page.click('button[type="submit"]');
      expect(await page.locator('#notice').textContent()).toBe('An answer was not right. You have 2 attempts left.');

      await page.fill('input[name="answer"]', '1990-04-12');
      await page.click('button[type="submit"]');
      await page.waitForURL(chatUrl);

      const customerMessage = (await page.locator('.from-customer p').first().textContent()) ?? '';
      const code = /^Back from verification ([0-9A-Z]{7})$/.exec(customerMessage)?.[1] as string;
      expect(code).toMatch(/^[0-9A-Z]{7}$/);

      const verified = page.locator('.message', { hasText: 'Verified!' });
      await verified.waitFor({ timeout: 15_000 });
      const payload = JSON.parse((await verified.locator('pre').nth(1).textContent()) ?? '');
      expect(payload.type).toBe('challenge.passed');
      expect(payload.data.status).toBe('passed');
      expect(payload.data.return_code).toBe(code);
      expect(await verified.locator('figcaption').nth(1).textContent()).toBe('Webhook payload (challenge.passed)');
      const headers = (await verified.locator('pre').first().textContent()) ?? '';
      expect(headers).toMatch(/^webhook-id: evt_\S+\nwebhook-timestamp: \d+ \(/);

      const confirmed = page.locator('.message', { hasText: `return code ${code}, and askgate confirmed it` });
      await confirmed.waitFor({ timeout: 15_000 });
      expect(await confirmed.locator('figcaption').textContent()).toMatch(/^POST \/v1\/challenges\/chl_\S+\/confirm \{"code": "[0-9A-Z]{7}"\} returned 200$/);
      const confirmBody = JSON.parse((await confirmed.locator('pre').textContent()) ?? '');
      expect(confirmBody.confirmed).toBe(true);
      expect(confirmBody.challenge.id).toBe(payload.data.id);
      expect(typeof confirmBody.challenge.confirmed_at).toBe('string');
    } finally {
      await context.close();
    }
  });

  test('SIGTERM stops with exit 0', async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const exitCode = await child.exited;
    clearTimeout(timer);

    expect(exitCode).toBe(0);
    const rest = await readToEnd(child.stdout);
    expect(rest.match(urlPattern)).toBeNull();
    expect(await logs).not.toContain('"level":"error"');
  });
});

describe('askgate demo --help', () => {
  test('lists options with units', async () => {
    const result = await runCli(['demo', '--help'], tmpdir());

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('--port <port>');
    expect(result.stdout).toContain('--api-port <port>');
    expect(result.stdout).toContain('--web-port <port>');
    expect(result.stdout).toContain('--log-level <level>');
  });

  test('rejects invalid port', async () => {
    const result = await runCli(['demo', '--port', '70000'], tmpdir());

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--port');
  });
});
