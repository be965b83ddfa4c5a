import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSelfSignedCertificate } from '../security/self-signed-cert.ts';
import { version } from '../version.ts';
import { certHelp } from './help.ts';

/** `askgate cert`: writes a self-signed cert.pem and key.pem for local TLS. Returns the exit code. */
export function runCert(args: string[]): number {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        'out-dir': { type: 'string' },
        host: { type: 'string', multiple: true },
        days: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}. Run askgate cert --help for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(certHelp());
    return 0;
  }
  if (values.version) {
    console.log(version);
    return 0;
  }

  const days = values.days === undefined ? 365 : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    console.error(`--days="${values.days}" is not valid. Use a whole number of days from 1 to 3650.`);
    return 2;
  }
  const outDir = values['out-dir'] ?? process.cwd();
  const certPath = join(outDir, 'cert.pem');
  const keyPath = join(outDir, 'key.pem');
  if (!values.force && (existsSync(certPath) || existsSync(keyPath))) {
    console.error(`${certPath} or ${keyPath} already exists. Remove them or pass --force to replace them.`);
    return 2;
  }

  const pair = createSelfSignedCertificate({ hosts: values.host, days });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(certPath, pair.certPem);
  writeFileSync(keyPath, pair.keyPem, { mode: 0o600 });
  console.log(`Wrote ${certPath} and ${keyPath} (self-signed, valid ${days} days). Browsers will warn about it: use it for local testing only.`);
  return 0;
}
