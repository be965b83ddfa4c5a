/**
 * Starts askgate in this process (memory store, info-level logs discarded), creates pending
 * challenges and writes their page paths to a pool file for bench/wrk/page.lua, then serves
 * until it receives SIGTERM. Used to measure the server's CPU time per page request from
 * outside, with wrk and /proc/<pid>/stat.
 *
 *   taskset -c 1 bun bench/breakdown/page-server.ts /tmp/pool.txt 1000   # prints "<pid> <web url>"
 *   BENCH_POOL_FILE=/tmp/pool.txt taskset -c 0 wrk -t1 -c32 -d8s -s bench/wrk/page.lua <web url>
 *
 * CPU time per request is the change of fields 14 and 15 of /proc/<pid>/stat (user and system
 * clock ticks, 10 ms each on Linux) over the run, divided by the request count that wrk prints.
 */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config.ts';
import { Logger } from '../../src/log/logger.ts';
import { startServer } from '../../src/server.ts';
import { createBody, createHeaders } from '../load/requests.ts';

const [poolFile, countText = '1000'] = process.argv.slice(2);
if (poolFile === undefined) throw new Error('missing POOL_FILE. Usage: bun bench/breakdown/page-server.ts POOL_FILE [COUNT]');
const apiKey = 'ak_bench_' + 'k'.repeat(40);
const config = loadConfig(
  {
    ASKGATE_HOST: '127.0.0.1',
    ASKGATE_API_PORT: '0',
    ASKGATE_WEB_PORT: '0',
    ASKGATE_API_KEY: apiKey,
    ASKGATE_SECRET: 'bench-secret-'.padEnd(48, 's'),
    ASKGATE_PAGE_RATE_PER_MINUTE: '1000000',
    ASKGATE_CREATE_RATE_PER_MINUTE: '1000000',
    ASKGATE_MAX_PENDING_PER_CLIENT: '1',
  },
  {},
  '/nonexistent-dir-without-pem-files',
  false,
);
const logger = new Logger({ level: 'info', format: 'json', write: () => {} });
const server = await startServer(config, logger);

const paths: string[] = [];
for (let index = 0; index < Number(countText); index++) {
  const response = await fetch(`${server.apiUrl}/v1/challenges`, {
    method: 'POST',
    headers: createHeaders(apiKey),
    body: createBody(`page-cpu-${index}`, { max_attempts: 10, expires_in: 86400 }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`create returned ${response.status}: ${text.slice(0, 300)}`);
  paths.push(new URL((JSON.parse(text) as { url: string }).url).pathname);
}
writeFileSync(poolFile, paths.map((path) => `${path} -\n`).join(''));
console.log(`${process.pid} ${server.webUrl}`);
process.on('SIGTERM', () => void server.stop({ graceMs: 100 }).then(() => process.exit(0)));
