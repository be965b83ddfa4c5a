import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  generalizedTime,
  implicit,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utcTime,
  utf8String,
} from './der.ts';

/** PEM-encoded certificate and its PKCS#8 private key. */
export interface SelfSignedPair {
  certPem: string;
  keyPem: string;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '::1'];
const DEFAULT_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;
// Backdating notBefore lets clients whose clock runs slightly behind accept a fresh certificate.
const BACKDATE_MS = 60 * 60 * 1000;
// Upper bound for a commonName value (ub-common-name in RFC 5280, Appendix A).
const MAX_COMMON_NAME_LENGTH = 64;
// Characters accepted in a dNSName: letters, digits, "-", "." and "_", plus "*" for a wildcard
// label. Label structure (empty labels, leading hyphens) is not checked.
const DNS_NAME_PATTERN = /^[A-Za-z0-9*_.-]+$/;

/**
 * Generates an ECDSA P-256 key pair and a self-signed X.509 v3 server certificate for
 * `hosts` (default localhost, 127.0.0.1 and ::1), valid from one hour before `now` until
 * `days` days after it (default 365).
 *
 * The subject and issuer are CN=<first host>. Every host goes into subjectAltName, as an
 * iPAddress when it parses as IPv4 or IPv6 and as a dNSName otherwise. The certificate is
 * not a CA (basicConstraints CA:false) and allows only digitalSignature and serverAuth.
 *
 * @throws RangeError when `hosts` is empty or contains an invalid host, when the first host is
 *   longer than 64 characters, when `days` is not a positive number, or when `now` is invalid.
 */
export function createSelfSignedCertificate(
  options: { hosts?: string[]; days?: number; now?: Date } = {},
): SelfSignedPair {
  const hosts = options.hosts ?? DEFAULT_HOSTS;
  const days = options.days ?? DEFAULT_DAYS;
  const now = options.now ?? new Date();
  checkOptions(hosts, days, now);

  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  // ecdsa-with-SHA256 takes no parameters, so the AlgorithmIdentifier contains the OID alone.
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const subject = distinguishedName(hosts[0]!);

  const tbsCertificate = sequence(
    explicit(0, integer(2)), // version v3
    integer(randomBytes(16)),
    signatureAlgorithm,
    subject, // issuer
    sequence(certificateTime(notBefore), certificateTime(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...serverExtensions(hosts))),
  );
  const signature = sign('sha256', tbsCertificate, privateKey);
  const certificate = sequence(tbsCertificate, signatureAlgorithm, bitString(signature));

  return {
    certPem: toPem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function checkOptions(hosts: string[], days: number, now: Date): void {
  if (hosts.length === 0) throw new RangeError('hosts must contain at least one host name or IP address');
  for (const host of hosts) {
    if (host.includes('%')) {
      throw new RangeError(`invalid host "${host}": an iPAddress name cannot contain an IPv6 zone id`);
    }
    if (!isIPv4(host) && !isIPv6(host) && !DNS_NAME_PATTERN.test(host)) {
      throw new RangeError(
        `invalid host "${host}": expected an ASCII DNS name or an IP address without brackets`,
      );
    }
  }
  if (hosts[0]!.length > MAX_COMMON_NAME_LENGTH) {
    throw new RangeError(
      `first host "${hosts[0]}" exceeds the ${MAX_COMMON_NAME_LENGTH}-character commonName limit. Put a shorter host first.`,
    );
  }
  if (!(Number.isFinite(days) && days > 0)) {
    throw new RangeError(`days must be a positive number, got ${days}`);
  }
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid Date, got Invalid Date');
}

/** Encodes the Name CN=<commonName>. */
function distinguishedName(commonName: string): Uint8Array {
  return sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))));
}

/** Encodes a validity time. RFC 5280 requires UTCTime for 1950 through 2049 and GeneralizedTime otherwise. */
function certificateTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? utcTime(date) : generalizedTime(date);
}

function serverExtensions(hosts: string[]): Uint8Array[] {
  // digitalSignature is bit 0, the high bit of the first byte. DER drops trailing zero bits,
  // so one byte with 7 unused bits remains.
  const digitalSignatureOnly = bitString(Uint8Array.of(0x80), 7);

  return [
    // cA defaults to FALSE, and DER omits default values, so the SEQUENCE is empty.
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, digitalSignatureOnly),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...hosts.map(generalName))),
  ];
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  // critical defaults to FALSE, so DER leaves it out unless it is TRUE.
  const criticalFlag = critical ? [boolean(true)] : [];
  return sequence(objectIdentifier(oid), ...criticalFlag, octetString(value));
}

/** Encodes a GeneralName: iPAddress [7] for IP literals, dNSName [2] otherwise. */
function generalName(host: string): Uint8Array {
  if (isIPv4(host)) return implicit(7, ipv4Bytes(host));
  if (isIPv6(host)) return implicit(7, ipv6Bytes(host));
  return implicit(2, Buffer.from(host, 'ascii'));
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.').map(Number));
}

/** Expands an IPv6 address, including "::" and a dotted IPv4 tail, to 16 bytes. Expects valid input. */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = ipv4Bytes(tail);
    const hexGroup = (high: number, low: number) => ((high << 8) | low).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hexGroup(a!, b!)}:${hexGroup(c!, d!)}`;
  }

  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeroGroups = Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  const groups = [...headGroups, ...zeroGroups, ...restGroups];

  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function toPem(label: string, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
