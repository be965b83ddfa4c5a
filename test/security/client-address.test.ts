import { describe, expect, test } from 'bun:test';
import { clientAddressOf } from '../../src/security/client-address.ts';
import { parseIpRange, type IpRange } from '../../src/security/ip-address.ts';

function ranges(...texts: string[]): IpRange[] {
  return texts.map((text) => {
    const range = parseIpRange(text);
    if (range === null) throw new Error(`bad range in test: ${text}`);
    return range;
  });
}

describe('clientAddressOf()', () => {
  test('uses peer without trusted proxies', () => {
    expect(clientAddressOf('203.0.114.9', '198.51.100.77', [])).toBe('203.0.114.9');
  });

  test('ignores header from untrusted peer', () => {
    expect(clientAddressOf('203.0.114.9', '198.51.100.77', ranges('10.0.0.0/8'))).toBe('203.0.114.9');
  });

  test('reads header from trusted peer', () => {
    expect(clientAddressOf('10.0.0.5', '198.51.100.77', ranges('10.0.0.5'))).toBe('198.51.100.77');
  });

  test('skips trusted hops from the right', () => {
    const forwarded = '192.0.2.200, 198.51.100.77, 10.0.0.7';
    expect(clientAddressOf('10.0.0.5', forwarded, ranges('10.0.0.0/8'))).toBe('198.51.100.77');
  });

  test('ignores spoofed hops left of the client', () => {
    // A client can send its own X-Forwarded-For, and the proxy appends the real address after it.
    expect(clientAddressOf('10.0.0.5', '127.0.0.1, 198.51.100.77', ranges('10.0.0.5'))).toBe('198.51.100.77');
  });

  test('stops at a malformed hop', () => {
    expect(clientAddressOf('10.0.0.5', '198.51.100.77, not-an-ip, 10.0.0.9', ranges('10.0.0.0/8'))).toBe('10.0.0.9');
  });

  test('unmaps IPv4-mapped peer', () => {
    expect(clientAddressOf('::ffff:127.0.0.1', null, [])).toBe('127.0.0.1');
    expect(clientAddressOf('::ffff:10.0.0.5', '198.51.100.77', ranges('10.0.0.5'))).toBe('198.51.100.77');
  });

  test('accepts IPv6 proxy ranges', () => {
    expect(clientAddressOf('fd00::5', '2001:db8::77', ranges('fd00::/8'))).toBe('2001:db8:0:0:0:0:0:77');
  });

  test('returns null without peer', () => {
    expect(clientAddressOf(null, '198.51.100.77', ranges('10.0.0.0/8'))).toBeNull();
  });
});

describe('parseIpRange()', () => {
  test('parses addresses and prefixes', () => {
    expect(parseIpRange('10.0.0.0/8')?.prefixLength).toBe(8);
    expect(parseIpRange('10.0.0.1')?.prefixLength).toBe(32);
    expect(parseIpRange('::1')?.prefixLength).toBe(128);
    expect(parseIpRange('fd00::/8')?.bytes.length).toBe(16);
  });

  test('rejects malformed ranges', () => {
    for (const text of ['10.0.0.0/33', '::/129', '10.0.0.0/8/1', 'proxy.local', '10.0.0.0/x', '']) {
      expect({ text, range: parseIpRange(text) }).toEqual({ text, range: null });
    }
  });
});
