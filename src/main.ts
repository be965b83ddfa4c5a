#!/usr/bin/env bun
import { ConfigError } from './config/config-error.ts';
import { maskUrlPasswords } from './config/mask.ts';
import { StoreUnavailableError } from './store/store-errors.ts';

/** The commands of the askgate executable; each lives in its own file under cli/. */
const commands: Record<string, () => Promise<(args: string[]) => Promise<number | null> | number>> = {
  serve: async () => (await import('./cli/serve-command.ts')).runServe,
  cert: async () => (await import('./cli/cert-command.ts')).runCert,
  'check-config': async () => (await import('./cli/check-config-command.ts')).runCheckConfig,
  healthcheck: async () => (await import('./cli/healthcheck-command.ts')).runHealthcheck,
  demo: async () => (await import('./cli/demo-command.ts')).runDemo,
  keys: async () => (await import('./cli/keys-command.ts')).runKeys,
};

/** Runs the command named by the first argument (serve when there is none); null means keep running. */
async function main(argv: string[]): Promise<number | null> {
  const [first, ...rest] = argv;
  const named = first !== undefined && !first.startsWith('-');
  const command = named ? first : 'serve';
  const load = commands[command];
  if (load === undefined) {
    console.error(`Unknown command "${command}". Run askgate --help for the list of commands.`);
    return 2;
  }

  const run = await load();
  return run(named ? rest : argv);
}

try {
  const code = await main(Bun.argv.slice(2));
  if (code !== null) process.exit(code);
} catch (error) {
  if (error instanceof ConfigError) {
    // A rejected store URL is echoed in the message and may contain a password.
    console.error(`Invalid configuration: ${maskUrlPasswords(error.message)}`);
    process.exit(error.exitCode);
  }
  if (error instanceof StoreUnavailableError) {
    console.error(`Could not open the store: ${error.reason}`);
    process.exit(1);
  }
  if ((error as { code?: string }).code === 'EADDRINUSE') {
    console.error(`Could not listen: ${(error as Error).message.replace(/[.?]$/, '')}. Choose another port with --api-port or --web-port.`);
    process.exit(1);
  }
  console.error(`askgate could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
