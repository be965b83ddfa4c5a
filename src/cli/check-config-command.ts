import { loadConfig, optionSpecs, readSetting, type Config, type FlagValues } from '../config/config.ts';
import { maskedValue, maskUrlPasswords } from '../config/mask.ts';
import type { OptionSpec } from '../config/options.ts';
import { version } from '../version.ts';
import { parseConfigFlags } from './config-flags.ts';
import { checkConfigHelp } from './help.ts';

/**
 * `askgate check-config`: validates the configuration exactly as `serve` does and prints the
 * effective value and source of every setting, with secrets masked. Returns 0; an invalid
 * setting throws ConfigError, which the entry point turns into exit code 2.
 */
export function runCheckConfig(args: string[]): number {
  const parsed = parseConfigFlags(args, 'check-config', checkConfigHelp);
  if (parsed.kind === 'exit') return parsed.exitCode;

  const config = loadConfig(process.env, parsed.flags);
  console.log(`askgate ${version}: the configuration is valid.`);
  console.log('');
  console.log(formatTable(['setting', 'value', 'source'], describeSettings(config, process.env, parsed.flags)));

  const warnings = configWarnings(config);
  if (warnings.length > 0) {
    console.log('');
    for (const warning of warnings) console.log(`warning: ${warning}`);
  }
  return 0;
}

/** Builds one row per setting of optionSpecs: variable name, effective value (masked where secret), source. */
export function describeSettings(config: Config, env: Record<string, string | undefined>, flags: FlagValues): string[][] {
  return Object.values(optionSpecs).map((spec: OptionSpec<unknown>) => {
    const found = readSetting(spec, env, flags);
    let source = found?.source ?? 'default';
    if (spec.key === 'publicUrl' && found === null && config.publicUrl !== null) source = 'URL_SUFFIX + HOST';

    if (spec.secret) return [spec.env, found === null ? '(not set)' : `${maskedValue} (set, masked)`, source];

    const value = effectiveValue(spec, config, found?.value ?? null);
    return [spec.env, maskUrlPasswords(value), source];
  });
}

function effectiveValue(spec: OptionSpec<unknown>, config: Config, raw: string | null): string {
  switch (spec.key) {
    case 'tlsCert':
      return config.tls?.certPath ?? '(not set: plain HTTP)';
    case 'tlsKey':
      return config.tls?.keyPath ?? '(not set: plain HTTP)';
    case 'whatsappNumber':
      return config.whatsappDigits === null ? '(not set)' : `+${config.whatsappDigits}`;
    case 'publicUrl':
      return config.publicUrl ?? '(derived from the web listener address)';
    case 'tenants': {
      const names = Object.keys(config.tenants);
      return raw === null ? '(not set)' : `${raw} (tenants: ${names.length === 0 ? 'none' : names.join(', ')})`;
    }
  }

  if (!(spec.key in config)) return raw ?? '(default)';
  const value = (config as unknown as Record<string, unknown>)[spec.key];
  if (value === null || value === undefined) return '(not set)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(',');
  return String(value);
}

function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.secret === null) warnings.push('ASKGATE_SECRET is not set: a secret is generated at each start, so pending links stop working after a restart.');
  if (config.apiKey === null) warnings.push('ASKGATE_API_KEY is not set: a development key is generated and printed at each start.');
  if (config.metricsToken === null) warnings.push('ASKGATE_METRICS_TOKEN is not set: GET /metrics is open to anyone who reaches the API port.');
  if (config.publicUrl !== null && /(^|\.)example\.(com|org|net)$/.test(new URL(config.publicUrl).hostname)) {
    warnings.push(`ASKGATE_PUBLIC_URL is ${config.publicUrl}, an example address: page links will not reach customers. Set the https address of your reverse proxy.`);
  }
  return warnings;
}

function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const format = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd();
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...rows.map(format)].join('\n');
}
