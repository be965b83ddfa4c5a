#!/usr/bin/env bun
import { parseArgs } from 'node:util';
import { certHelp, serveHelp } from './cli/help.ts';
import { runServe } from './cli/serve-command.ts';
import { optionSpecs } from './config/config.ts';
import { ConfigError } from './config/config-error.ts';
import { StoreUnavailableError } from './store/store-errors.ts';
import { version } from './version.ts';

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = first === undefined || first.startsWith('-') ? 'serve' : first;
  const args = command === 'serve' && first !== 'serve' ? argv : rest;

  switch (command) {
    case 'serve':
      return serve(args);
    case 'cert': {
      const { runCert } = await import('./cli/cert-command.ts');
      return runCert(args);
    }
    default:
      console.error(`Unknown command "${command}". Run askgate --help for the list of commands.`);
      return 2;
  }
}

async function serve(args: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, version: { type: 'boolean' } };
  for (const spec of Object.values(optionSpecs)) options[spec.flag] = { type: 'string' };

  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${(error as Error).message}. Run askgate --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(serveHelp());
    return 0;
  }
  if (values.version) {
    console.log(version);
    return 0;
  }

  const flags: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (typeof value === 'string') flags[name] = value;
  await runServe(flags);
  return -1;
}

try {
  const code = await main(Bun.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Invalid configuration: ${error.message}`);
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
