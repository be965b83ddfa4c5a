import { parseArgs } from 'node:util';
import { optionSpecs, type FlagValues } from '../config/config.ts';
import { version } from '../version.ts';

export type ParsedFlags =
  | { kind: 'run'; flags: FlagValues; extra: Record<string, string | boolean | undefined> }
  /** --help, --version or a parse error was handled; the command exits with `exitCode`. */
  | { kind: 'exit'; exitCode: number };

/**
 * Parses the configuration flags of `optionSpecs` plus `--help`, `--version` and the command's
 * own `extraOptions`. Prints the help, the version or the parse error itself.
 */
export function parseConfigFlags(
  args: string[],
  command: string,
  help: () => string,
  extraOptions: Record<string, { type: 'string' | 'boolean' }> = {},
): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, version: { type: 'boolean' }, ...extraOptions };
  for (const spec of Object.values(optionSpecs)) options[spec.flag] = { type: 'string' };

  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${(error as Error).message}. Run askgate ${command} --help for the options.`);
    return { kind: 'exit', exitCode: 2 };
  }
  if (values.help) {
    console.log(help());
    return { kind: 'exit', exitCode: 0 };
  }
  if (values.version) {
    console.log(version);
    return { kind: 'exit', exitCode: 0 };
  }

  const flags: FlagValues = {};
  const extra: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name in extraOptions) extra[name] = value;
    else if (typeof value === 'string') flags[name] = value;
  }
  return { kind: 'run', flags, extra };
}
