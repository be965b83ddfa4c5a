import { optionSpecs } from '../config/config.ts';
import { version } from '../version.ts';

/** Builds the `--help` text from the option list, so flags and variables never drift apart. */
export function serveHelp(): string {
  return [
    `askgate ${version}: known-question step-up check for chat bots`,
    '',
    'Usage:',
    '  askgate [serve] [options]    start the API and the customer page (default)',
    '  askgate check-config [options]  validate the configuration and print it, secrets masked',
    '  askgate healthcheck [options]   exit 0 when the local API answers /healthz, else 1',
    '  askgate cert [--out-dir DIR] [--host NAME]... [--days N] [--force]  write a self-signed cert.pem and key.pem',
    '  askgate <command> --help     print the help of a command',
    '  askgate --version            print the version',
    '',
    ...configurationOptionLines(),
    '',
    'On SIGTERM or SIGINT, askgate stops accepting connections, gives requests in flight up to',
    '--shutdown-grace-ms to finish, closes the store and exits 0; a second signal exits 1 at once.',
    '',
    'Exit codes: 0 stopped cleanly, 1 failed while running, 2 invalid configuration.',
  ].join('\n');
}

export function checkConfigHelp(): string {
  return [
    'Usage: askgate check-config [options]',
    '',
    'Reads the configuration exactly as askgate serve does (flags, then ASKGATE_* variables, then',
    'the older names, then defaults) and prints the effective value and source of each setting.',
    'API keys, secrets, tokens and passwords inside URLs are masked. Nothing is started.',
    '',
    ...configurationOptionLines(),
    '',
    'Exit codes: 0 valid, 2 invalid (the message names the setting).',
  ].join('\n');
}

export function healthcheckHelp(): string {
  return [
    'Usage: askgate healthcheck [--timeout-ms MS] [options]',
    '',
    'Sends GET /healthz to the API port of the askgate on this host, as configured by the same',
    'variables and flags as askgate serve (a wildcard ASKGATE_HOST is reached on 127.0.0.1). Made',
    'for container health checks, where no curl exists.',
    '  --timeout-ms <milliseconds>  how long to wait for the reply (default 3000)',
    '',
    ...configurationOptionLines(),
    '',
    'Exit codes: 0 healthy, 1 unhealthy or unreachable, 2 invalid configuration or flags.',
  ].join('\n');
}

export function certHelp(): string {
  return [
    'Usage: askgate cert [--out-dir DIR] [--host NAME]... [--days N] [--force]',
    '',
    'Writes a self-signed certificate and key for local TLS, without needing openssl.',
    '  --out-dir <path>   folder for cert.pem and key.pem (default: the current folder)',
    '  --host <name>      DNS name or IP address the certificate covers; repeat for more',
    '                     (default: localhost, 127.0.0.1, ::1)',
    '  --days <days>      validity in days (default 365)',
    '  --force            replace existing files',
    '  --version          print the version',
    '',
    'askgate picks up ./cert.pem and ./key.pem on the next start and serves HTTPS on both ports.',
  ].join('\n');
}

/** Lists every setting: flag with its unit, description, and the variables it is read from. */
function configurationOptionLines(): string[] {
  const lines = ['Options (each also read from the environment variable shown; flags win):'];
  for (const spec of Object.values(optionSpecs)) {
    const seed = 'seedEnv' in spec && spec.seedEnv ? `, or ${spec.seedEnv}` : '';
    lines.push(`  --${spec.flag} <${spec.unit ?? 'value'}>`);
    lines.push(`      ${spec.description}`);
    lines.push(`      env: ${spec.env}${seed}`);
  }
  lines.push('  --help', '      Print this help.', '  --version', '      Print the version.');
  return lines;
}
