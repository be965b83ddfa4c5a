import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type FlagValues } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

// PEM-looking files are enough because loadConfig only checks for the block label, and these
// tests never pass the files to Bun.serve.
const certPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const keyPem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
const validSecret = 'config-test-secret-'.padEnd(48, 's');
const validWebhookSecret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

let root: string;
let emptyDir: string;
let certPath: string;
let keyPath: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'askgate-config-'));
  emptyDir = join(root, 'empty');
  mkdirSync(emptyDir);
  certPath = join(root, 'given-cert.pem');
  keyPath = join(root, 'given-key.pem');
  writeFileSync(certPath, certPem);
  writeFileSync(keyPath, keyPem);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function load(env: Record<string, string | undefined>, flags: FlagValues = {}, cwd = emptyDir, isTerminal = false) {
  return loadConfig(env, flags, cwd, isTerminal);
}

/** Runs loadConfig and returns the ConfigError it throws; fails the test when it returns. */
function configErrorOf(env: Record<string, string | undefined>, flags: FlagValues = {}, cwd = emptyDir): ConfigError {
  try {
    load(env, flags, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify({ env, flags })}`);
}

describe('loadConfig defaults', () => {
  test('empty environment gives defaults', () => {
    const config = load({});

    expect(config.host).toBe('127.0.0.1');
    expect(config.apiPort).toBe(8000);
    expect(config.webPort).toBe(8080);
    expect(config.expirationSeconds).toBe(300);
    expect(config.retentionSeconds).toBe(900);
    expect(config.publicUrl).toBeNull();
    expect(config.validationApiUrl).toBeNull();
    expect(config.validationTimeoutMs).toBe(5000);
    expect(config.apiKey).toBeNull();
    expect(config.secret).toBeNull();
    expect(config.tls).toBeNull();
    expect(config.store).toBe('memory');
    expect(config.webhookUrl).toBeNull();
    expect(config.webhookSecret).toBeNull();
    expect(config.whatsappDigits).toBeNull();
    expect(config.returnUrlHosts).toEqual([]);
    expect(config.validationUrlHosts).toEqual([]);
    expect(config.defaultLocale).toBe('en');
    expect(config.logLevel).toBe('info');
    expect(config.logFormat).toBe('json');
  });

  test('terminal defaults to pretty logs', () => {
    expect(load({}, {}, emptyDir, true).logFormat).toBe('pretty');
  });

  test('empty variable counts as unset', () => {
    const config = load({ ASKGATE_API_PORT: '', ASKGATE_PUBLIC_URL: '' });
    expect(config.apiPort).toBe(8000);
    expect(config.publicUrl).toBeNull();
  });
});

describe('loadConfig ASKGATE variables', () => {
  test('each variable is parsed', () => {
    const config = load({
      ASKGATE_HOST: '0.0.0.0',
      ASKGATE_PUBLIC_URL: 'https://verify.example/',
      ASKGATE_API_PORT: '9000',
      ASKGATE_WEB_PORT: '9443',
      ASKGATE_EXPIRATION: '600',
      ASKGATE_RETENTION: '0',
      ASKGATE_VALIDATION_API_URL: 'https://bot.example/validate',
      ASKGATE_VALIDATION_TIMEOUT_MS: '2500',
      ASKGATE_API_KEY: 'ak_' + 'a'.repeat(32),
      ASKGATE_SECRET: validSecret,
      ASKGATE_TLS_CERT: certPath,
      ASKGATE_TLS_KEY: keyPath,
      ASKGATE_STORE: 'memory',
      ASKGATE_WEBHOOK_URL: 'https://bot.example/events',
      ASKGATE_WEBHOOK_SECRET: validWebhookSecret,
      ASKGATE_WHATSAPP_NUMBER: '+54 9 11 2233-4455',
      ASKGATE_RETURN_URL_HOSTS: 'Shop.Example, help.example ,',
      ASKGATE_VALIDATION_URL_HOSTS: 'bot.example',
      ASKGATE_DEFAULT_LOCALE: 'pt',
      ASKGATE_LOG_LEVEL: 'debug',
      ASKGATE_LOG_FORMAT: 'pretty',
    });

    expect(config.host).toBe('0.0.0.0');
    expect(config.publicUrl).toBe('https://verify.example');
    expect(config.apiPort).toBe(9000);
    expect(config.webPort).toBe(9443);
    expect(config.expirationSeconds).toBe(600);
    expect(config.retentionSeconds).toBe(0);
    expect(config.validationApiUrl).toBe('https://bot.example/validate');
    expect(config.validationTimeoutMs).toBe(2500);
    expect(config.apiKey).toBe('ak_' + 'a'.repeat(32));
    expect(config.secret).toBe(validSecret);
    expect(config.tls).toEqual({ cert: certPem, key: keyPem, certPath, keyPath });
    expect(config.store).toBe('memory');
    expect(config.webhookUrl).toBe('https://bot.example/events');
    expect(config.webhookSecret).toBe(validWebhookSecret);
    expect(config.whatsappDigits).toBe('5491122334455');
    expect(config.returnUrlHosts).toEqual(['shop.example', 'help.example']);
    expect(config.validationUrlHosts).toEqual(['bot.example']);
    expect(config.defaultLocale).toBe('pt');
    expect(config.logLevel).toBe('debug');
    expect(config.logFormat).toBe('pretty');
  });

  test('port zero is accepted', () => {
    const config = load({ ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0' });
    expect(config.apiPort).toBe(0);
    expect(config.webPort).toBe(0);
  });

  test('expiration bounds are accepted', () => {
    expect(load({ ASKGATE_EXPIRATION: '10' }).expirationSeconds).toBe(10);
    expect(load({ ASKGATE_EXPIRATION: '86400' }).expirationSeconds).toBe(86400);
  });
});

describe('loadConfig seed names', () => {
  test('seed variables are read', () => {
    const config = load({
      HOST: '0.0.0.0',
      api_port: '7000',
      web_port: '7080',
      expiration: '120',
      VALIDATION_API_URL: 'http://127.0.0.1:5000/validate',
    });

    expect(config.host).toBe('0.0.0.0');
    expect(config.apiPort).toBe(7000);
    expect(config.webPort).toBe(7080);
    expect(config.expirationSeconds).toBe(120);
    expect(config.validationApiUrl).toBe('http://127.0.0.1:5000/validate');
  });

  test('URL_SUFFIX and HOST give public URL', () => {
    const config = load({ URL_SUFFIX: 'https://', HOST: 'verify.example', web_port: '8443' });
    expect(config.publicUrl).toBe('https://verify.example:8443');
  });

  test('seed HOST port is kept', () => {
    const config = load({ URL_SUFFIX: 'http://', HOST: 'verify.example:80' });
    expect(config.publicUrl).toBe('http://verify.example:80');
  });

  test('URL_SUFFIX alone gives no public URL', () => {
    expect(load({ URL_SUFFIX: 'https://' }).publicUrl).toBeNull();
  });

  test('ASKGATE names win over seed names', () => {
    const config = load({
      HOST: '0.0.0.0',
      ASKGATE_HOST: '127.0.0.2',
      api_port: '7000',
      ASKGATE_API_PORT: '9000',
      web_port: '7080',
      ASKGATE_WEB_PORT: '9080',
      expiration: '120',
      ASKGATE_EXPIRATION: '60',
      VALIDATION_API_URL: 'http://127.0.0.1:5000/seed',
      ASKGATE_VALIDATION_API_URL: 'http://127.0.0.1:5000/askgate',
      URL_SUFFIX: 'http://',
      ASKGATE_PUBLIC_URL: 'https://verify.example',
    });

    expect(config.host).toBe('127.0.0.2');
    expect(config.apiPort).toBe(9000);
    expect(config.webPort).toBe(9080);
    expect(config.expirationSeconds).toBe(60);
    expect(config.validationApiUrl).toBe('http://127.0.0.1:5000/askgate');
    expect(config.publicUrl).toBe('https://verify.example');
  });

  test('flags win over both', () => {
    const config = load(
      {
        HOST: '0.0.0.0',
        ASKGATE_HOST: '127.0.0.2',
        api_port: '7000',
        ASKGATE_API_PORT: '9000',
        web_port: '7080',
        ASKGATE_WEB_PORT: '9080',
        expiration: '120',
        ASKGATE_EXPIRATION: '60',
        ASKGATE_PUBLIC_URL: 'https://verify.example',
        ASKGATE_LOG_LEVEL: 'debug',
      },
      {
        host: '127.0.0.3',
        'api-port': '9100',
        'web-port': '9180',
        expiration: '30',
        'public-url': 'https://flag.example',
        'log-level': 'warn',
      },
    );

    expect(config.host).toBe('127.0.0.3');
    expect(config.apiPort).toBe(9100);
    expect(config.webPort).toBe(9180);
    expect(config.expirationSeconds).toBe(30);
    expect(config.publicUrl).toBe('https://flag.example');
    expect(config.logLevel).toBe('warn');
  });
});

describe('loadConfig invalid values', () => {
  const cases: [name: string, env: Record<string, string>, variable: string, value: string, fix: string][] = [
    ['port above range', { ASKGATE_API_PORT: '70000' }, 'ASKGATE_API_PORT', '70000', '1 to 65535'],
    ['port not a number', { ASKGATE_WEB_PORT: 'abc' }, 'ASKGATE_WEB_PORT', 'abc', '1 to 65535'],
    ['seed port not a number', { api_port: 'abc' }, 'api_port', 'abc', '1 to 65535'],
    ['expiration not a number', { ASKGATE_EXPIRATION: 'ten' }, 'ASKGATE_EXPIRATION', 'ten', 'from 10 to 86400'],
    ['expiration below minimum', { ASKGATE_EXPIRATION: '5' }, 'ASKGATE_EXPIRATION', '5', 'from 10 to 86400'],
    ['public URL with ftp', { ASKGATE_PUBLIC_URL: 'ftp://x' }, 'ASKGATE_PUBLIC_URL', 'ftp://x', 'http:// or https://'],
    ['public URL not a URL', { ASKGATE_PUBLIC_URL: 'not a url' }, 'ASKGATE_PUBLIC_URL', 'not a url', 'http:// or https://'],
    ['whatsapp number invalid', { ASKGATE_WHATSAPP_NUMBER: '011 2233 4455' }, 'ASKGATE_WHATSAPP_NUMBER', '011 2233 4455', 'country code'],
    ['locale not supported', { ASKGATE_DEFAULT_LOCALE: 'de' }, 'ASKGATE_DEFAULT_LOCALE', 'de', 'en, es, pt, fr, id, ar'],
  ];

  for (const [name, env, variable, value, fix] of cases) {
    test(`rejects ${name}`, () => {
      const error = configErrorOf(env);

      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(variable);
      expect(error.message).toContain(`"${value}"`);
      expect(error.message).toContain(fix);
    });
  }

  test('flag error names the flag', () => {
    const error = configErrorOf({}, { 'api-port': '70000' });
    expect(error.message).toContain('--api-port');
    expect(error.message).toContain('"70000"');
  });

  test('rejects TLS cert without key', () => {
    const error = configErrorOf({ ASKGATE_TLS_CERT: certPath });
    expect(error.message).toContain('ASKGATE_TLS_CERT is set');
    expect(error.message).toContain('ASKGATE_TLS_KEY is not');
    expect(error.message).toContain('Set both');
  });

  test('rejects TLS key without cert', () => {
    const error = configErrorOf({ ASKGATE_TLS_KEY: keyPath });
    expect(error.message).toContain('ASKGATE_TLS_KEY is set');
    expect(error.message).toContain('ASKGATE_TLS_CERT is not');
    expect(error.message).toContain('Set both');
  });

  test('rejects unreadable TLS path', () => {
    const missing = join(root, 'missing-cert.pem');
    const error = configErrorOf({ ASKGATE_TLS_CERT: missing, ASKGATE_TLS_KEY: keyPath });

    expect(error.message).toContain('ASKGATE_TLS_CERT');
    expect(error.message).toContain(`"${missing}"`);
    expect(error.message).toContain('ENOENT');
    expect(error.message).toContain('readable PEM file');
  });

  test('rejects TLS file without PEM block', () => {
    const notPem = join(root, 'not-pem.txt');
    writeFileSync(notPem, 'plain text\n');
    const error = configErrorOf({ ASKGATE_TLS_CERT: certPath, ASKGATE_TLS_KEY: notPem });

    expect(error.message).toContain('ASKGATE_TLS_KEY');
    expect(error.message).toContain(`"${notPem}"`);
    expect(error.message).toContain('PRIVATE KEY');
  });

  test('rejects short secret without echoing it', () => {
    const shortSecret = 'too-short-secret-value';
    const error = configErrorOf({ ASKGATE_SECRET: shortSecret });

    expect(error.message).toContain('ASKGATE_SECRET');
    expect(error.message).toContain('32 bytes');
    expect(error.message).toContain('openssl rand');
    expect(error.message).not.toContain(shortSecret);
  });

  test('rejects webhook secret without echoing it', () => {
    const badWebhookSecret = 'whsec_short';
    const error = configErrorOf({ ASKGATE_WEBHOOK_SECRET: badWebhookSecret });

    expect(error.message).toContain('ASKGATE_WEBHOOK_SECRET');
    expect(error.message).toContain('whsec_ followed by');
    expect(error.message).not.toContain(badWebhookSecret);
  });

  test('rejects webhook secret without prefix', () => {
    const error = configErrorOf({ ASKGATE_WEBHOOK_SECRET: Buffer.alloc(32, 7).toString('base64') });
    expect(error.message).toContain('ASKGATE_WEBHOOK_SECRET');
  });

  test('rejects short API key without echoing it', () => {
    const shortKey = 'ak_short';
    const error = configErrorOf({ ASKGATE_API_KEY: shortKey });

    expect(error.message).toContain('ASKGATE_API_KEY');
    expect(error.message).toContain('at least 20 characters');
    expect(error.message).not.toContain(shortKey);
  });
});

describe('loadConfig TLS files in cwd', () => {
  test('cert.pem without key.pem is an error', () => {
    const dir = join(root, 'cert-only');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    const error = configErrorOf({}, {}, dir);

    expect(error.message).toContain('cert.pem');
    expect(error.message).toContain(dir);
    expect(error.message).toContain('Add key.pem');
  });

  test('key.pem without cert.pem is an error', () => {
    const dir = join(root, 'key-only');
    mkdirSync(dir);
    writeFileSync(join(dir, 'key.pem'), keyPem);
    const error = configErrorOf({}, {}, dir);

    expect(error.message).toContain('key.pem');
    expect(error.message).toContain('Add cert.pem');
  });

  test('cert.pem and key.pem load TLS', () => {
    const dir = join(root, 'both');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    writeFileSync(join(dir, 'key.pem'), keyPem);
    const config = load({}, {}, dir);

    expect(config.tls?.cert).toBe(certPem);
    expect(config.tls?.key).toBe(keyPem);
    expect(config.tls?.certPath).toBe(join(dir, 'cert.pem'));
    expect(config.tls?.keyPath).toBe(join(dir, 'key.pem'));
  });

  test('configured paths win over cwd files', () => {
    const dir = join(root, 'cwd-ignored');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    const config = load({ ASKGATE_TLS_CERT: certPath, ASKGATE_TLS_KEY: keyPath }, {}, dir);

    expect(config.tls?.certPath).toBe(certPath);
    expect(config.tls?.keyPath).toBe(keyPath);
  });
});

describe('loadConfig port and seed checks', () => {
  test('rejects equal API and web ports', () => {
    expect(() => loadConfig({ ASKGATE_API_PORT: '9100', ASKGATE_WEB_PORT: '9100' }, {}, '/nonexistent', false)).toThrow(/ASKGATE_API_PORT and ASKGATE_WEB_PORT are both 9100/);
  });

  test('allows both ports 0', () => {
    expect(loadConfig({ ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0' }, {}, '/nonexistent', false).apiPort).toBe(0);
  });

  test('rejects URL_SUFFIX that is no scheme', () => {
    expect(() => loadConfig({ URL_SUFFIX: 'https://x', HOST: 'localhost' }, {}, '/nonexistent', false)).toThrow(/URL_SUFFIX="https:\/\/x" is not valid/);
  });
});
