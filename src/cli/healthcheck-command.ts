import { loadConfig } from '../config/config.ts';
import { parseConfigFlags } from './config-flags.ts';
import { healthcheckHelp } from './help.ts';

const defaultTimeoutMs = 3000;

/**
 * `askgate healthcheck`: sends GET /healthz to the local API and returns 0 on a 200 reply, else
 * 1. Container images without curl use it as their HEALTHCHECK.
 */
export async function runHealthcheck(args: string[]): Promise<number> {
  const parsed = parseConfigFlags(args, 'healthcheck', healthcheckHelp, { 'timeout-ms': { type: 'string' } });
  if (parsed.kind === 'exit') return parsed.exitCode;

  const timeoutText = parsed.extra['timeout-ms'];
  const timeoutMs = typeof timeoutText === 'string' ? Number(timeoutText) : defaultTimeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60000) {
    console.error(`--timeout-ms="${timeoutText}" is not valid. Use a whole number of milliseconds from 1 to 60000.`);
    return 2;
  }

  const config = loadConfig(process.env, parsed.flags);
  const url = `${config.tls ? 'https' : 'http'}://${probeHost(config.host)}:${config.apiPort}/healthz`;
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      // The probe reaches this host's own listener, whose certificate names the public host
      // rather than the loopback address, so the certificate is not verified.
      tls: { rejectUnauthorized: false },
    });
    if (response.status !== 200) {
      console.error(`unhealthy: GET ${url} returned ${response.status}`);
      return 1;
    }
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (error as Error).message;
    console.error(`unhealthy: GET ${url} failed: ${reason}`);
    return 1;
  }
  console.log(`healthy: GET ${url} returned 200`);
  return 0;
}

/** Picks the address to probe: loopback for a wildcard bind, else the bind address itself. */
function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
