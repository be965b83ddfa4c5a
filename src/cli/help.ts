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
    '  askgate demo [options]       try askgate in a browser: a fake chat and a demo bot on 127.0.0.1',
    '  askgate keys create|list|revoke [--tenant NAME] [--id KEY_ID]  manage tenant API keys (durable store)',
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

export function keysHelp(): string {
  return [
    'Usage:',
    '  askgate keys create --tenant NAME   create a key for a tenant; the key is printed once',
    '  askgate keys list [--tenant NAME]   list key ids, tenants, prefixes and dates (never keys)',
    '  askgate keys revoke --id KEY_ID     revoke a key; requests with it get 401 from then on',
    '',
    'Keys live in the store that ASKGATE_STORE names, stored only as SHA-256, so this needs a',
    'durable store (sqlite:<path> or redis://…) shared with the server. Run it with the same',
    'environment as askgate serve.',
    '  --tenant <name>   tenant id: 1 to 64 characters from A-Z, a-z, 0-9, _ and -',
    '  --id <key id>     the key_… id that askgate keys list shows',
    '',
    ...configurationOptionLines(['store', 'secret', 'redisPrefix']),
    '',
    'The other options of askgate serve (askgate --help) are accepted too, so the same environment',
    'works for both, but keys does not use them.',
    '',
    'Exit codes: 0 done, 1 no such key, 2 invalid arguments, configuration or a memory store.',
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

export function demoHelp(): string {
  return [
    'Usage: askgate demo [--port PORT] [--api-port PORT] [--web-port PORT] [--log-level LEVEL] [--log-format FORMAT]',
    '',
    'Starts askgate and a small demo chat bot in this process, on 127.0.0.1 only, and prints the',
    'address of the bot\'s fake chat. Open it in a browser on the same computer: the bot asks you',
    'to verify, you answer on askgate\'s real page, and back in the chat the bot shows the signed',
    'webhook it received and the return code it confirmed.',
    '',
    '  --port <port>          port of the demo bot\'s chat page (default 0: any free port)',
    '  --api-port <port>      port of askgate\'s API (default 0: any free port)',
    '  --web-port <port>      port of askgate\'s customer page (default 0: any free port)',
    '  --log-level <level>    debug, info, warn (default) or error; logs go to standard error',
    '  --log-format <format>  json, or pretty (default: pretty on a terminal, json otherwise)',
    '  --help                 print this help',
    '  --version              print the version',
    '',
    'The demo reads no ASKGATE_* variables. It generates an API key, a server secret and a',
    'webhook secret that live only in this process and are never printed, keeps everything in',
    'memory, and allows http://127.0.0.1 return URLs (ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP).',
    '',
    'Ctrl-C or SIGTERM stops askgate and the bot and exits 0; a second signal exits 1 at once.',
    'Exit codes: 0 stopped cleanly, 1 failed while running or a port is in use, 2 invalid flags.',
  ].join('\n');
}

/** Lists every setting, or those in `only`: flag with its unit, description, and the variables it is read from. */
function configurationOptionLines(only?: ReadonlyArray<keyof typeof optionSpecs>): string[] {
  const lines = ['Options (each also read from the environment variable shown; flags win):'];
  const specs = only === undefined ? Object.values(optionSpecs) : only.map((key) => optionSpecs[key]);
  for (const spec of specs) {
    const seed = 'seedEnv' in spec && spec.seedEnv ? `, or ${spec.seedEnv}` : '';
    lines.push(`  --${spec.flag} <${spec.unit ?? 'value'}>`);
    lines.push(`      ${spec.description}`);
    lines.push(`      env: ${spec.env}${seed}`);
  }
  lines.push('  --help', '      Print this help.', '  --version', '      Print the version.');
  return lines;
}
