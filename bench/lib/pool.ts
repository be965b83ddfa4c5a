import { writeFileSync } from 'node:fs';
import { createBody, createHeaders, csrfFromPage, formatPool, type PoolEntry } from '../load/requests.ts';
import type { RunningAskgate } from './targets.ts';

let poolSerial = 0;

/**
 * Creates `count` pending challenges through the API and opens each page once to read its CSRF
 * token. Each challenge allows 10 attempts and lives a day, so that wrong answers and page views
 * during a run never end it. Runs `concurrency` requests at a time.
 */
export async function createPool(askgate: RunningAskgate, count: number, concurrency = 32): Promise<PoolEntry[]> {
  poolSerial += 1;
  const entries: PoolEntry[] = new Array(count);
  let next = 0;

  async function worker(): Promise<void> {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      const created = await fetch(`${askgate.apiUrl}/v1/challenges`, {
        method: 'POST',
        headers: createHeaders(askgate.apiKey),
        body: createBody(`pool-${poolSerial}-${index}`, { max_attempts: 10, expires_in: 86400 }),
      });
      const text = await created.text();
      if (created.status !== 201) throw new Error(`creating a pool challenge returned ${created.status}: ${text.slice(0, 300)}`);
      const { id, url } = JSON.parse(text) as { id: string; url: string };

      const page = await fetch(url);
      const html = await page.text();
      const csrf = csrfFromPage(html);
      if (page.status !== 200 || csrf === null) throw new Error(`the page of pool challenge ${id} returned ${page.status} without a CSRF field`);
      entries[index] = { id, path: new URL(url).pathname, csrf };
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return entries;
}

export function writePool(entries: PoolEntry[], file: string): void {
  writeFileSync(file, formatPool(entries));
}
