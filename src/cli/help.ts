import { optionSpecs } from '../config/config.ts';
import { version } from '../version.ts';

/** Builds the `--help` text from the option list, so flags and variables never drift apart. */
export function serveHelp(): string {
  const lines = [
    `askgate ${version}: known-question step-up check for chat bots`,
    '',
    'Usage:',
    '  askgate [serve] [options]    start the API and the customer page (default)',
    '  askgate cert [--out-dir DIR] [--host NAME]... [--days N] [--force]  write a self-signed cert.pem and key.pem',
    '  askgate --version            print the version',
    '  askgate --help               print this help',
    '',
    'Options (each also read from the environment variable shown; flags win):',
  ];
  for (const spec of Object.values(optionSpecs)) {
    const seed = 'seedEnv' in spec && spec.seedEnv ? `, or ${spec.seedEnv}` : '';
    lines.push(`  --${spec.flag} <${spec.unit ?? 'value'}>`);
    lines.push(`      ${spec.description}`);
    lines.push(`      env: ${spec.env}${seed}`);
  }
  lines.push('', 'Exit codes: 0 stopped cleanly, 1 failed while running, 2 invalid configuration.');
  return lines.join('\n');
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
    '',
    'askgate picks up ./cert.pem and ./key.pem on the next start and serves HTTPS on both ports.',
  ].join('\n');
}
