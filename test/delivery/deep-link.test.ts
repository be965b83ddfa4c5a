import { describe, expect, test } from 'bun:test';
import { buildDeepLink, fillReturnMessage } from '../../src/delivery/deep-link.ts';

const returnCode = 'K7P2QRX';

describe('buildDeepLink', () => {
  const messages: [name: string, text: string][] = [
    ['plain text', 'Verification complete'],
    ['spaces', 'code  is   here'],
    ['ampersand', 'Tom & Jerry'],
    ['plus sign', '1+1=2 and +5491122334455'],
    ['hash sign', 'order #42'],
    ['question mark', 'done? yes'],
    ['equals sign', 'a=b&c=d'],
    ['newlines', 'line one\nline two\r\nline three'],
    ['accents', 'Verificação concluída, señor José'],
    ['emoji', 'Listo ✅ 🐶👍🏽 👨‍👩‍👧'],
    ['percent sign', '100% done %20 %zz'],
    ['everything at once', 'A & B + C # D ? E = F\nJosé 🐶 %'],
  ];

  for (const [name, text] of messages) {
    test(`whatsapp round-trips ${name}`, () => {
      const link = buildDeepLink({ channel: 'whatsapp', digits: '5491122334455', text: null }, text, returnCode);
      const url = new URL(link);

      expect(url.origin).toBe('https://wa.me');
      expect(url.pathname).toBe('/5491122334455');
      expect(url.searchParams.get('text')).toBe(text);
      expect([...url.searchParams.keys()]).toEqual(['text']);
      expect(url.hash).toBe('');
      expect(link).not.toContain(' ');
      expect(link).not.toContain('#');
      expect(link).not.toContain('\n');
      expect(link).not.toContain('\r');
    });
  }

  test('telegram uses given payload', () => {
    const link = buildDeepLink({ channel: 'telegram', bot: 'askgate_demo_bot', payload: 'order-42_ok' }, 'ignored', returnCode);
    const url = new URL(link);

    expect(url.origin).toBe('https://t.me');
    expect(url.pathname).toBe('/askgate_demo_bot');
    expect(url.searchParams.get('start')).toBe('order-42_ok');
  });

  test('telegram defaults to return code', () => {
    const link = buildDeepLink({ channel: 'telegram', bot: 'askgate_demo_bot', payload: null }, 'ignored', returnCode);
    expect(new URL(link).searchParams.get('start')).toBe(returnCode);
  });

  test('messenger uses given ref', () => {
    const ref = 'ticket 42 & more #x';
    const link = buildDeepLink({ channel: 'messenger', page: 'askgate.demo', ref }, 'ignored', returnCode);
    const url = new URL(link);

    expect(url.origin).toBe('https://m.me');
    expect(url.pathname).toBe('/askgate.demo');
    expect(url.searchParams.get('ref')).toBe(ref);
    expect(link).not.toContain(' ');
    expect(link).not.toContain('#');
  });

  test('messenger defaults to return code', () => {
    const link = buildDeepLink({ channel: 'messenger', page: 'askgate.demo', ref: null }, 'ignored', returnCode);
    expect(new URL(link).searchParams.get('ref')).toBe(returnCode);
  });

  test('url channel adds askgate_code', () => {
    const link = buildDeepLink({ channel: 'url', url: 'https://shop.example/return?order=42' }, 'ignored', returnCode);
    const url = new URL(link);

    expect(url.origin).toBe('https://shop.example');
    expect(url.pathname).toBe('/return');
    expect(url.searchParams.get('order')).toBe('42');
    expect(url.searchParams.get('askgate_code')).toBe(returnCode);
  });

  test('url channel replaces existing askgate_code', () => {
    const link = buildDeepLink({ channel: 'url', url: 'https://shop.example/return?askgate_code=old' }, 'ignored', returnCode);
    const url = new URL(link);

    expect(url.searchParams.getAll('askgate_code')).toEqual([returnCode]);
  });
});

describe('fillReturnMessage', () => {
  test('replaces single placeholder', () => {
    expect(fillReturnMessage('Verified, code {code}.', returnCode)).toBe(`Verified, code ${returnCode}.`);
  });

  test('replaces every placeholder', () => {
    const filled = fillReturnMessage('{code} / {code} / {code}', returnCode);
    expect(filled).toBe(`${returnCode} / ${returnCode} / ${returnCode}`);
    expect(filled).not.toContain('{code}');
  });

  test('appends code when absent', () => {
    expect(fillReturnMessage('Verification complete', returnCode)).toBe(`Verification complete ${returnCode}`);
  });

  test('leaves other braces alone', () => {
    expect(fillReturnMessage('{name} code {code}', returnCode)).toBe(`{name} code ${returnCode}`);
  });

  test('filled message round-trips in link', () => {
    const message = fillReturnMessage('Olá José & #time? {code} 🐶', returnCode);
    const link = buildDeepLink({ channel: 'whatsapp', digits: '5511987654321', text: null }, message, returnCode);

    expect(new URL(link).searchParams.get('text')).toBe(`Olá José & #time? ${returnCode} 🐶`);
  });
});
