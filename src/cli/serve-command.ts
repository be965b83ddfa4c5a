import { loadConfig } from '../config/config.ts';
import { Logger } from '../log/logger.ts';
import { startServer } from '../server.ts';
import { parseConfigFlags } from './config-flags.ts';
import { serveHelp } from './help.ts';

/**
 * `askgate serve`: starts askgate and keeps it running until SIGINT or SIGTERM. Listener URLs
 * and a generated development key go to standard output; logs go to standard error. Returns
 * null while the server runs, or the exit code when it did not start.
 *
 * On the first signal the listeners stop accepting connections, requests in flight get up to
 * ASKGATE_SHUTDOWN_GRACE_MS to finish, the store is closed and the process exits 0. A second
 * signal exits 1 at once.
 */
export async function runServe(args: string[]): Promise<number | null> {
  const parsed = parseConfigFlags(args, 'serve', serveHelp);
  if (parsed.kind === 'exit') return parsed.exitCode;

  const config = loadConfig(process.env, parsed.flags);
  const logger = new Logger({ level: config.logLevel, format: config.logFormat });
  const server = await startServer(config, logger);

  let signalsReceived = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signalsReceived += 1;
    if (signalsReceived > 1) {
      logger.warn('second signal received: exiting without waiting for requests in flight', { signal });
      process.exit(1);
    }

    logger.info('shutting down', { signal, grace_ms: config.shutdownGraceMs });
    server.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        process.exit(1);
      },
    );
  };
  // Handlers are in place before the listening lines, so a supervisor that signals as soon as it
  // reads them gets a graceful stop.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  // The same addresses as a log line, for log collectors that read only standard error.
  logger.info('listening', { api_url: server.apiUrl, web_url: server.webUrl, public_url: server.publicUrl });
  console.log(`askgate API listening on ${server.apiUrl} (docs: ${server.apiUrl}/docs)`);
  console.log(`askgate customer page listening on ${server.webUrl} (links use ${server.publicUrl})`);
  if (server.developmentApiKey !== null) {
    console.log(`Development API key (generated because ASKGATE_API_KEY is not set; valid until this process stops): ${server.developmentApiKey}`);
  }

  return null;
}
