import { describe, expect, test } from 'bun:test';
import type { ReturnInput } from '../../src/challenge/create-input.ts';
import { parseReturnTarget } from '../../src/challenge/return-target.ts';
import { AppError } from '../../src/errors/app-error.ts';

const defaultDigits = '5491100000000';
const allowedHosts = ['shop.example', 'help.example'];

/** Runs parseReturnTarget and returns the AppError it throws; fails the test when it returns. */
function rejectionOf(input: ReturnInput | undefined, digits: string | null = defaultDigits): AppError {
  try {
    parseReturnTarget(input, digits, allowedHosts);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`parseReturnTarget accepted ${JSON.stringify(input)}`);
}

describe('parseReturnTarget', () => {
  test('whatsapp with phone and text', () => {
    const target = parseReturnTarget({ channel: 'whatsapp', phone: '+54 9 11 2233-4455', text: 'Done {code}' }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'whatsapp', digits: '5491122334455', text: 'Done {code}' });
  });

  test('whatsapp without phone uses default', () => {
    const target = parseReturnTarget({ channel: 'whatsapp' }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'whatsapp', digits: defaultDigits, text: null });
  });

  test('omitted return uses default number', () => {
    const target = parseReturnTarget(undefined, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'whatsapp', digits: defaultDigits, text: null });
  });

  test('telegram strips leading at sign', () => {
    const target = parseReturnTarget({ channel: 'telegram', bot: '@askgate_demo_bot', payload: 'order-42_ok' }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'telegram', bot: 'askgate_demo_bot', payload: 'order-42_ok' });
  });

  test('telegram without payload', () => {
    const target = parseReturnTarget({ channel: 'telegram', bot: 'AskgateBot' }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'telegram', bot: 'AskgateBot', payload: null });
  });

  test('telegram payload of 64 characters', () => {
    const payload = 'a'.repeat(64);
    const target = parseReturnTarget({ channel: 'telegram', bot: 'AskgateBot', payload }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'telegram', bot: 'AskgateBot', payload });
  });

  test('messenger with ref', () => {
    const target = parseReturnTarget({ channel: 'messenger', page: 'askgate.demo', ref: 'ticket 42' }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'messenger', page: 'askgate.demo', ref: 'ticket 42' });
  });

  test('messenger ref of 2083 characters', () => {
    const ref = 'r'.repeat(2083);
    const target = parseReturnTarget({ channel: 'messenger', page: '1234567890', ref }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'messenger', page: '1234567890', ref });
  });

  test('url on allow-list', () => {
    const target = parseReturnTarget({ channel: 'url', url: 'https://Shop.Example/return?order=42' }, defaultDigits, allowedHosts);
    expect(target).toEqual({ channel: 'url', url: 'https://shop.example/return?order=42' });
  });

  const rejections: [name: string, input: ReturnInput | undefined, digits: string | null, field: string][] = [
    ['omitted return without default', undefined, null, 'return'],
    ['whatsapp without any phone', { channel: 'whatsapp' }, null, 'return.phone'],
    ['whatsapp invalid phone', { channel: 'whatsapp', phone: '011 2233 4455' }, defaultDigits, 'return.phone'],
    ['whatsapp text too long', { channel: 'whatsapp', text: 'x'.repeat(501) }, defaultDigits, 'return.text'],
    ['telegram missing bot', { channel: 'telegram' }, defaultDigits, 'return.bot'],
    ['telegram bot too short', { channel: 'telegram', bot: 'abcd' }, defaultDigits, 'return.bot'],
    ['telegram bot starting with digit', { channel: 'telegram', bot: '1askgate_bot' }, defaultDigits, 'return.bot'],
    ['telegram bot with dash', { channel: 'telegram', bot: 'askgate-bot' }, defaultDigits, 'return.bot'],
    ['telegram payload of 65 characters', { channel: 'telegram', bot: 'AskgateBot', payload: 'a'.repeat(65) }, defaultDigits, 'return.payload'],
    ['telegram payload with dot', { channel: 'telegram', bot: 'AskgateBot', payload: 'order.42' }, defaultDigits, 'return.payload'],
    ['telegram payload with space', { channel: 'telegram', bot: 'AskgateBot', payload: 'order 42' }, defaultDigits, 'return.payload'],
    ['telegram empty payload', { channel: 'telegram', bot: 'AskgateBot', payload: '' }, defaultDigits, 'return.payload'],
    ['messenger missing page', { channel: 'messenger' }, defaultDigits, 'return.page'],
    ['messenger page with slash', { channel: 'messenger', page: 'askgate/demo' }, defaultDigits, 'return.page'],
    ['messenger ref of 2084 characters', { channel: 'messenger', page: 'askgate.demo', ref: 'r'.repeat(2084) }, defaultDigits, 'return.ref'],
    ['messenger empty ref', { channel: 'messenger', page: 'askgate.demo', ref: '' }, defaultDigits, 'return.ref'],
    ['url missing', { channel: 'url' }, defaultDigits, 'return.url'],
    ['url not absolute', { channel: 'url', url: '/return' }, defaultDigits, 'return.url'],
    ['url with http scheme', { channel: 'url', url: 'http://shop.example/return' }, defaultDigits, 'return.url'],
    ['url with credentials', { channel: 'url', url: 'https://user:pass@shop.example/' }, defaultDigits, 'return.url'],
    ['url host not allowed', { channel: 'url', url: 'https://other.example/return' }, defaultDigits, 'return.url'],
    ['url subdomain not allowed', { channel: 'url', url: 'https://a.shop.example/return' }, defaultDigits, 'return.url'],
    ['whatsapp with bot field', { channel: 'whatsapp', phone: '+5491122334455', bot: 'AskgateBot' }, defaultDigits, 'return.bot'],
    ['telegram with phone field', { channel: 'telegram', bot: 'AskgateBot', phone: '+5491122334455' }, defaultDigits, 'return.phone'],
    ['telegram with text field', { channel: 'telegram', bot: 'AskgateBot', text: 'hi' }, defaultDigits, 'return.text'],
    ['messenger with payload field', { channel: 'messenger', page: 'askgate.demo', payload: 'x' }, defaultDigits, 'return.payload'],
    ['url with ref field', { channel: 'url', url: 'https://shop.example/', ref: 'x' }, defaultDigits, 'return.ref'],
  ];

  for (const [name, input, digits, field] of rejections) {
    test(`rejects ${name}`, () => {
      const error = rejectionOf(input, digits);

      expect(error.code).toBe('validation_failed');
      expect(error.status).toBe(400);
      expect(error.errors).toHaveLength(1);
      expect(error.errors[0]?.field).toBe(field);
    });
  }

  test('error detail omits sent value', () => {
    const error = rejectionOf({ channel: 'whatsapp', phone: '+0secret-number' });
    expect(error.message).not.toContain('+0secret-number');
  });
});

describe('parseReturnTarget loopback http', () => {
  const loopbackAllowList = ['127.0.0.1', '[::1]', 'localhost', 'shop.example'];
  const allowLoopback = { allowLoopbackHttp: true };

  /** Returns the AppError that parseReturnTarget throws for `url`; fails the test when it returns. */
  function urlRejection(url: string, hosts: readonly string[], options: { allowLoopbackHttp?: boolean }): AppError {
    try {
      parseReturnTarget({ channel: 'url', url }, defaultDigits, hosts, options);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error(`parseReturnTarget accepted ${url}`);
  }

  const accepted: [url: string, stored: string][] = [
    ['http://127.0.0.1:4100/return', 'http://127.0.0.1:4100/return'],
    ['http://[::1]:4100/return', 'http://[::1]:4100/return'],
    ['http://LOCALHOST:4100/return?chat=7', 'http://localhost:4100/return?chat=7'],
  ];
  for (const [url, stored] of accepted) {
    test(`accepts ${url} when enabled`, () => {
      const target = parseReturnTarget({ channel: 'url', url }, defaultDigits, loopbackAllowList, allowLoopback);
      expect(target).toEqual({ channel: 'url', url: stored });
    });
  }

  test('rejects loopback http by default', () => {
    const error = urlRejection('http://127.0.0.1:4100/return', loopbackAllowList, {});
    expect(error.errors[0]?.field).toBe('return.url');
    expect(error.errors[0]?.message).toContain('https');
  });

  test('rejects loopback http when disabled', () => {
    const error = urlRejection('http://127.0.0.1:4100/return', loopbackAllowList, { allowLoopbackHttp: false });
    expect(error.errors[0]?.field).toBe('return.url');
  });

  test('rejects loopback host off allow-list', () => {
    const error = urlRejection('http://127.0.0.1:4100/return', ['shop.example'], allowLoopback);
    expect(error.errors[0]?.field).toBe('return.url');
    expect(error.errors[0]?.message).toContain('ASKGATE_RETURN_URL_HOSTS');
  });

  test('rejects http on other allowed host', () => {
    const error = urlRejection('http://shop.example/return', loopbackAllowList, allowLoopback);
    expect(error.errors[0]?.field).toBe('return.url');
    expect(error.errors[0]?.message).toContain('127.0.0.1');
  });

  test('rejects other loopback addresses', () => {
    const error = urlRejection('http://127.0.0.2:4100/return', [...loopbackAllowList, '127.0.0.2'], allowLoopback);
    expect(error.errors[0]?.field).toBe('return.url');
  });

  test('rejects loopback http with credentials', () => {
    const error = urlRejection('http://user:pass@127.0.0.1:4100/return', loopbackAllowList, allowLoopback);
    expect(error.errors[0]?.field).toBe('return.url');
    expect(error.errors[0]?.message).toContain('credentials');
  });

  test('rejects other schemes on loopback', () => {
    const error = urlRejection('ftp://127.0.0.1/return', loopbackAllowList, allowLoopback);
    expect(error.errors[0]?.field).toBe('return.url');
  });

  test('keeps https on allowed host', () => {
    const target = parseReturnTarget({ channel: 'url', url: 'https://shop.example/return' }, defaultDigits, loopbackAllowList, allowLoopback);
    expect(target).toEqual({ channel: 'url', url: 'https://shop.example/return' });
  });
});
