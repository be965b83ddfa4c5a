import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join, resolve } from 'node:path';
import { loadTenantsFile } from '../../src/config/tenants-file.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { makeTenantFolder, pngBytes, svgText, webpBytes } from '../support/tenant-files.ts';

const source = 'ASKGATE_TENANTS_FILE';
let folder: ReturnType<typeof makeTenantFolder>;

beforeAll(() => {
  folder = makeTenantFolder();
  folder.write('logo.png', pngBytes);
  folder.write('logo.svg', svgText);
  folder.write('logo.webp', webpBytes);
  folder.write('big.png', Buffer.concat([pngBytes, Buffer.alloc(64 * 1024)]));
  folder.write('logo.gif', Buffer.from('GIF89a\x01\x00\x01\x00'));
  folder.write('png-named.svg', pngBytes);
});

afterAll(() => {
  folder.remove();
});

/** Writes `content` as a tenants file and returns the ConfigError that loading it raises. */
function rejectionOf(content: unknown): { error: ConfigError; path: string } {
  const path = folder.write(`tenants-${Math.random().toString(36).slice(2)}.json`, typeof content === 'string' ? content : JSON.stringify(content));
  try {
    loadTenantsFile(path, source);
  } catch (error) {
    if (error instanceof ConfigError) return { error, path };
    throw error;
  }
  throw new Error(`loadTenantsFile accepted ${JSON.stringify(content)}`);
}

describe('loadTenantsFile', () => {
  test('reads every setting', () => {
    const path = folder.write('valid.json', JSON.stringify({
      default: { display_name: ' Acme Bank ', accent_color: '#0B6E4F', logo: 'logo.svg', messages: { es: { 'question.heading': 'Hola de Acme' } } },
      shop: { logo: 'logo.png' },
      cafe: { logo: './logo.webp', accent_color: '#333' },
    }));
    const tenants = loadTenantsFile(path, source);
    expect(tenants.default?.displayName).toBe('Acme Bank');
    expect(tenants.default?.accentColor).toBe('#0b6e4f');
    expect(tenants.default?.logo?.contentType).toBe('image/svg+xml');
    expect(tenants.default?.messages.es?.['question.heading']).toBe('Hola de Acme');
    expect(tenants.shop?.logo?.extension).toBe('png');
    expect(tenants.shop?.accentColor).toBeNull();
    expect(tenants.shop?.displayName).toBeNull();
    expect(tenants.cafe?.logo?.contentType).toBe('image/webp');
    expect(tenants.cafe?.accentColor).toBe('#333333');
  });

  test('resolves logos beside the file', () => {
    const path = folder.write('relative.json', JSON.stringify({ default: { logo: 'logo.png' } }));
    const tenants = loadTenantsFile(path, source);
    expect(Buffer.from(tenants.default?.logo?.bytes ?? []).equals(pngBytes)).toBe(true);
  });

  test('rejects low contrast with button text', () => {
    const { error, path } = rejectionOf({ acme: { accent_color: '#77dd77' } });
    expect(error.message).toContain(path);
    expect(error.message).toContain('"acme.accent_color"');
    expect(error.message).toContain('#77dd77');
    expect(error.message).toContain('1.69:1');
    expect(error.message).toContain('button text colour #ffffff');
    expect(error.message).toContain('at least 4.5:1');
  });

  test('rejects colour just under 4.5', () => {
    // #777777 on white is 4.48:1, the classic near miss.
    const { error } = rejectionOf({ acme: { accent_color: '#777777' } });
    expect(error.message).toContain('4.47:1');
    expect(error.message).toContain('at least 4.5:1');
  });

  test('accepts colour just over 4.5', () => {
    const path = folder.write('grey.json', JSON.stringify({ acme: { accent_color: '#767676' } }));
    expect(loadTenantsFile(path, source).acme?.accentColor).toBe('#767676');
  });

  test('rejects colour that is not hex', () => {
    const { error } = rejectionOf({ acme: { accent_color: 'green' } });
    expect(error.message).toContain('"acme.accent_color"');
    expect(error.message).toContain('hex colour');
  });

  test('rejects unknown tenant key', () => {
    const { error, path } = rejectionOf({ acme: { display_name: 'Acme', colour: '#0b6e4f' } });
    expect(error.message).toContain(path);
    expect(error.message).toContain('"acme.colour"');
    expect(error.message).toContain('not a known key');
  });

  test('rejects unknown locale', () => {
    const { error } = rejectionOf({ acme: { messages: { de: { 'question.heading': 'Hallo' } } } });
    expect(error.message).toContain('"acme.messages.de"');
    expect(error.message).toContain('en, es, pt, fr, id, ar');
  });

  test('rejects unknown message key', () => {
    const { error } = rejectionOf({ acme: { messages: { es: { 'question.title': 'Hola' } } } });
    expect(error.message).toContain('"acme.messages.es.question.title"');
    expect(error.message).toContain('not a known message key');
  });

  test('rejects inherited property name', () => {
    const { error } = rejectionOf({ acme: { messages: { en: { toString: 'Hello' } } } });
    expect(error.message).toContain('"acme.messages.en.toString"');
    expect(error.message).toContain('not a known message key');
  });

  test('stores __proto__ as a tenant id', () => {
    const path = folder.write('proto.json', '{ "__proto__": { "display_name": "Odd" } }');
    const tenants = loadTenantsFile(path, source);
    expect(Object.hasOwn(tenants, '__proto__')).toBe(true);
    expect(tenants['__proto__']?.displayName).toBe('Odd');
  });

  test('rejects dropped placeholder', () => {
    const { error } = rejectionOf({ acme: { messages: { en: { 'question.wrong.other': 'Wrong. Try again.' } } } });
    expect(error.message).toContain('"acme.messages.en.question.wrong.other"');
    expect(error.message).toContain('{count}');
  });

  test('rejects added placeholder', () => {
    const { error } = rejectionOf({ acme: { messages: { en: { 'question.heading': 'Hello {name}' } } } });
    expect(error.message).toContain('"acme.messages.en.question.heading"');
    expect(error.message).toContain('none');
  });

  test('rejects oversized logo', () => {
    const { error } = rejectionOf({ acme: { logo: 'big.png' } });
    expect(error.message).toContain('"acme.logo"');
    expect(error.message).toContain(`${64 * 1024 + pngBytes.length} bytes`);
    expect(error.message).toContain('64 KB');
  });

  test('rejects logo of other format', () => {
    const { error } = rejectionOf({ acme: { logo: 'logo.gif' } });
    expect(error.message).toContain('"acme.logo"');
    expect(error.message).toContain('not a PNG, SVG or WebP');
  });

  test('rejects logo with wrong extension', () => {
    const { error } = rejectionOf({ acme: { logo: 'png-named.svg' } });
    expect(error.message).toContain('content is PNG');
  });

  test('rejects missing logo', () => {
    const { error } = rejectionOf({ acme: { logo: 'nowhere.png' } });
    expect(error.message).toContain(resolve(folder.dir, 'nowhere.png'));
    expect(error.message).toContain('ENOENT');
  });

  test('rejects bad tenant id', () => {
    const { error } = rejectionOf({ 'acme bank': {} });
    expect(error.message).toContain('"acme bank"');
    expect(error.message).toContain('not a valid tenant id');
  });

  test('rejects long display name', () => {
    const { error } = rejectionOf({ acme: { display_name: 'A'.repeat(81) } });
    expect(error.message).toContain('"acme.display_name"');
  });

  test('rejects invalid JSON', () => {
    const { error, path } = rejectionOf('{ "acme": ');
    expect(error.message).toContain(path);
    expect(error.message).toContain('not valid JSON');
  });

  test('rejects top-level array', () => {
    const { error } = rejectionOf([{ acme: {} }]);
    expect(error.message).toContain('JSON object keyed by tenant id');
  });

  test('rejects unreadable file', () => {
    const path = join(folder.dir, 'missing.json');
    expect(() => loadTenantsFile(path, source)).toThrow(`${source}=${path} cannot be read (ENOENT)`);
  });
});

describe('askgate with a bad tenants file', () => {
  test('exits with code 2', async () => {
    const path = folder.write('cli-bad.json', JSON.stringify({ default: { accent_color: '#f5c518' } }));
    const child = Bun.spawn([process.execPath, resolve(import.meta.dir, '../../src/main.ts')], {
      cwd: folder.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ASKGATE_TENANTS_FILE: path, ASKGATE_API_PORT: '0', ASKGATE_WEB_PORT: '0' },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const exitCode = await child.exited;
    const stderr = await new Response(child.stderr).text();
    expect(exitCode).toBe(2);
    expect(stderr).toContain(`ASKGATE_TENANTS_FILE=${path}`);
    expect(stderr).toContain('"default.accent_color"');
    expect(stderr).toContain('#f5c518');
  });
});
