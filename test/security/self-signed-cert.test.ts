import { describe, expect, test } from 'bun:test';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { bitString, integer, objectIdentifier, octetString, utcTime } from '../../src/security/der.ts';
import { createSelfSignedCertificate } from '../../src/security/self-signed-cert.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('createSelfSignedCertificate', () => {
  test('default certificate parses and verifies', () => {
    const { certPem, keyPem } = createSelfSignedCertificate();
    const certificate = new X509Certificate(certPem);
    const privateKey = createPrivateKey(keyPem);

    expect(keyPem).toStartWith('-----BEGIN PRIVATE KEY-----');
    expect(certificate.checkPrivateKey(privateKey)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.subject).toBe('CN=localhost');
    expect(certificate.issuer).toBe('CN=localhost');
    expect(certificate.ca).toBe(false);
  });

  test('subjectAltName lists every default host', () => {
    const certificate = new X509Certificate(createSelfSignedCertificate().certPem);
    const altNames = certificate.subjectAltName ?? '';

    expect(altNames).toContain('DNS:localhost');
    expect(altNames).toContain('IP Address:127.0.0.1');
    expect(altNames).toContain('IP Address:0:0:0:0:0:0:0:1');
  });

  test('custom hosts map to DNS and IP names', () => {
    const hosts = ['askgate.test', '*.askgate.test', '10.0.0.7', 'fe80::1:2', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8'];
    const certificate = new X509Certificate(createSelfSignedCertificate({ hosts }).certPem);

    expect(certificate.subject).toBe('CN=askgate.test');
    expect(certificate.checkHost('askgate.test')).toBe('askgate.test');
    // checkHost returns the subject name that matched, here the wildcard.
    expect(certificate.checkHost('api.askgate.test')).toBe('*.askgate.test');
    expect(certificate.checkHost('other.test')).toBeUndefined();
    expect(certificate.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(certificate.checkIP('fe80::1:2')).toBe('fe80::1:2');
    expect(certificate.checkIP('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(certificate.checkIP('10.0.0.8')).toBeUndefined();
    expect(certificate.subjectAltName).toContain('IP Address:FE80:0:0:0:0:0:1:2');
    expect(certificate.subjectAltName).toContain('IP Address:0:0:0:0:0:FFFF:C000:201');
    expect(certificate.subjectAltName).toContain('IP Address:1:2:3:4:5:6:7:8');
  });

  test('validity defaults to 365 days', () => {
    const now = new Date();
    const certificate = new X509Certificate(createSelfSignedCertificate({ now }).certPem);
    // X.509 times have whole seconds, so allow one second of truncation.
    const from = new Date(certificate.validFrom).getTime();
    const to = new Date(certificate.validTo).getTime();

    expect(Math.abs(from - (now.getTime() - 60 * 60 * 1000))).toBeLessThan(1000);
    expect(Math.abs(to - (now.getTime() + 365 * DAY_MS))).toBeLessThan(1000);
  });

  test('dates from 2050 use GeneralizedTime', () => {
    const now = new Date('2049-12-31T12:00:00Z');
    const certificate = new X509Certificate(createSelfSignedCertificate({ now, days: 2 }).certPem);

    expect(new Date(certificate.validFrom).toISOString()).toBe('2049-12-31T11:00:00.000Z');
    expect(new Date(certificate.validTo).toISOString()).toBe('2050-01-02T12:00:00.000Z');
    // Tag 0x17 is UTCTime and 0x18 is GeneralizedTime, each followed by its length.
    expect(certificate.raw.includes(Buffer.from('\x17\x0d491231110000Z', 'latin1'))).toBe(true);
    expect(certificate.raw.includes(Buffer.from('\x18\x0f20500102120000Z', 'latin1'))).toBe(true);
  });

  test('serial numbers are positive and differ', () => {
    const first = new X509Certificate(createSelfSignedCertificate().certPem);
    const second = new X509Certificate(createSelfSignedCertificate().certPem);
    // With the default hosts both outer SEQUENCEs use 4-byte headers, then comes [0] version
    // (5 bytes), so the serial INTEGER starts at offset 13.
    const raw = first.raw;

    expect(raw[13]).toBe(0x02);
    expect(raw[14]).toBeLessThanOrEqual(17);
    expect(raw[15]! & 0x80).toBe(0);
    expect(first.serialNumber).toMatch(/^[0-9A-F]{1,32}$/);
    expect(first.serialNumber).not.toBe(second.serialNumber);
  });

  test('invalid options are rejected', () => {
    expect(() => createSelfSignedCertificate({ hosts: [] })).toThrow(RangeError);
    expect(() => createSelfSignedCertificate({ hosts: ['[::1]'] })).toThrow('invalid host "[::1]"');
    expect(() => createSelfSignedCertificate({ hosts: ['fe80::1%eth0'] })).toThrow('zone id');
    expect(() => createSelfSignedCertificate({ hosts: ['bücher.test'] })).toThrow('invalid host');
    expect(() => createSelfSignedCertificate({ hosts: [`${'a'.repeat(65)}.test`] })).toThrow('commonName limit');
    expect(() => createSelfSignedCertificate({ days: 0 })).toThrow('days must be a positive number');
    expect(() => createSelfSignedCertificate({ days: Number.NaN })).toThrow('days must be a positive number');
    expect(() => createSelfSignedCertificate({ now: new Date('not a date') })).toThrow('now must be a valid Date');
  });

  test('Bun.serve accepts the pair for HTTPS', async () => {
    const { certPem, keyPem } = createSelfSignedCertificate();
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      tls: { cert: certPem, key: keyPem },
      fetch: () => new Response('ok'),
    });

    try {
      const url = `https://127.0.0.1:${server.port}/`;

      const unverified = await fetch(url, { tls: { rejectUnauthorized: false } });
      expect(await unverified.text()).toBe('ok');

      // The certificate is its own trust anchor here even though it is not a CA.
      const pinned = await fetch(url, { tls: { ca: certPem } });
      expect(await pinned.text()).toBe('ok');

      const otherCertificate = createSelfSignedCertificate().certPem;
      await expect(fetch(url, { tls: { ca: otherCertificate } })).rejects.toThrow();
    } finally {
      server.stop(true);
    }
  });
});

describe('DER encoder', () => {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

  test('integer uses minimal positive form', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integer(Uint8Array.of(0, 0, 0x7f)))).toBe('02017f');
    expect(hex(integer(Uint8Array.of(0xff, 0x01)))).toBe('020300ff01');
    expect(() => integer(-1)).toThrow(RangeError);
  });

  test('objectIdentifier encodes base-128 arcs', () => {
    expect(hex(objectIdentifier('2.5.4.3'))).toBe('0603550403');
    expect(hex(objectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(() => objectIdentifier('3.1')).toThrow('invalid object identifier');
    expect(() => objectIdentifier('1.40')).toThrow('invalid object identifier');
  });

  test('lengths switch to long form at 128', () => {
    expect(hex(octetString(new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(octetString(new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(octetString(new Uint8Array(300))).slice(0, 8)).toBe('0482012c');
  });

  test('bitString and utcTime layouts', () => {
    expect(hex(bitString(Uint8Array.of(0x80), 7))).toBe('03020780');
    expect(() => bitString(Uint8Array.of(0x80), 8)).toThrow(RangeError);
    expect(Buffer.from(utcTime(new Date('2026-03-04T05:06:07.890Z'))).subarray(2).toString()).toBe('260304050607Z');
    expect(() => utcTime(new Date('2050-01-01T00:00:00Z'))).toThrow('UTCTime covers 1950 through 2049');
  });
});
