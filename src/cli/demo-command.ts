import { parseArgs } from 'node:util';
import { AskgateClient } from '../client/index.ts';
import { loadConfig, type Config, type FlagValues } from '../config/config.ts';
import { parsePort } from '../config/options.ts';
import { startDemoBot, type DemoBot } from '../demo/demo-bot.ts';
import { Logger } from '../log/logger.ts';
import { generateApiKey } from '../security/api-keys.ts';
import { randomBase64Url } from '../security/random.ts';
import { startServer } from '../server.ts';
import { version } from '../version.ts';
import { demoHelp } from './help.ts';

/** The generated credentials of one demo run; they live only in this process and are never printed. */
interface DemoSecrets {
  apiKey: string;
  secret: string;
  webhookSecret: string;
}

/**
 * `askgate demo`: starts askgate and a demo chat bot in this process, on 127.0.0.1 only, and
 * prints the one address to open. Returns null while the demo runs, or the exit code when it
 * did not start. SIGINT or SIGTERM stops both and exits 0; a second signal exits 1 at once.
 */
export async function runDemo(args: string[]): Promise<number | null> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        'api-port': { type: 'string' },
        'web-port': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}. Run askgate demo --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(demoHelp());
    return 0;
  }
  if (values.version) {
    console.log(version);
    return 0;
  }

  const botPort = values.port === undefined ? 0 : parsePort(values.port, '--port');
  const flags: FlagValues = {
    'api-port': values['api-port'] ?? '0',
    'web-port': values['web-port'] ?? '0',
    'log-level': values['log-level'] ?? 'warn',
    'log-format': values['log-format'],
  };
  // Validates the flags before anything listens; the demo's own settings replace the rest below.
  const baseConfig = loadConfig({}, flags, null);
  const logger = new Logger({ level: baseConfig.logLevel, format: baseConfig.logFormat });
  const secrets: DemoSecrets = {
    apiKey: generateApiKey(),
    secret: randomBase64Url(32),
    webhookSecret: `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`,
  };

  let bot: DemoBot;
  try {
    bot = startDemoBot({ port: botPort, webhookSecret: secrets.webhookSecret, logger: logger.child({ component: 'demo-bot' }) });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    console.error(`Could not listen on 127.0.0.1:${botPort} for the demo bot: the port is in use. Choose another with --port, or leave it out to use a free port.`);
    return 1;
  }

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(demoConfig(baseConfig, bot, secrets), logger);
  } catch (error) {
    await bot.stop();
    throw error;
  }
  bot.connect(new AskgateClient({ baseUrl: server.apiUrl, apiKey: secrets.apiKey }));

  let signalsReceived = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signalsReceived += 1;
    if (signalsReceived > 1) {
      logger.warn('second signal received: exiting without waiting for requests in flight', { signal });
      process.exit(1);
    }

    logger.info('stopping the demo', { signal });
    server.stop().then(
      async () => {
        await bot.stop();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('demo shutdown failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  console.log('askgate demo is running. Open this address in a browser on this computer:');
  console.log('');
  console.log(`  ${bot.chatUrl}`);
  console.log('');
  console.log('It shows a fake chat with a demo bot that uses askgate to verify you. This is a demo with');
  console.log('throwaway secrets: askgate and the bot listen on 127.0.0.1 only, keep everything in memory');
  console.log('and forget it when you press Ctrl-C.');
  return null;
}

/**
 * The demo's askgate configuration: loopback only, memory store, no TLS, the generated secrets,
 * events sent to the bot on 127.0.0.1, and the bot's http://127.0.0.1 return URL allowed.
 */
function demoConfig(base: Config, bot: DemoBot, secrets: DemoSecrets): Config {
  return {
    ...base,
    host: '127.0.0.1',
    publicUrl: null,
    tls: null,
    store: 'memory',
    apiKey: secrets.apiKey,
    secret: secrets.secret,
    webhookUrl: bot.webhookUrl,
    webhookSecret: secrets.webhookSecret,
    webhookSecretPrevious: null,
    webhookSecretPreviousUntil: null,
    // Deliveries go to a bot in the same process, so a failed try is retried soon.
    webhookRetryScheduleSeconds: [1, 5, 30],
    returnUrlHosts: ['127.0.0.1'],
    returnUrlAllowLoopbackHttp: true,
    // The bot receives events on 127.0.0.1, which the outbound guard rejects unless allowed.
    allowPrivateOutbound: true,
    shutdownGraceMs: 3000,
  };
}
