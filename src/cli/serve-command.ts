import { loadConfig, type FlagValues } from '../config/config.ts';
import { Logger } from '../log/logger.ts';
import { startServer } from '../server.ts';

/**
 * Starts askgate and keeps it running until SIGINT or SIGTERM. Listener URLs and a generated
 * development key go to standard output; logs go to standard error.
 */
export async function runServe(flags: FlagValues): Promise<void> {
  const config = loadConfig(process.env, flags);
  const logger = new Logger({ level: config.logLevel, format: config.logFormat });
  const server = await startServer(config, logger);

  console.log(`askgate API listening on ${server.apiUrl} (docs: ${server.apiUrl}/docs)`);
  console.log(`askgate customer page listening on ${server.webUrl} (links use ${server.publicUrl})`);
  if (server.developmentApiKey !== null) {
    console.log(`Development API key (generated because ASKGATE_API_KEY is not set; valid until this process stops): ${server.developmentApiKey}`);
  }

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
