import { isIPv4, isIPv6 } from 'node:net';

/** An address range in CIDR form. A single address has the full prefix length (32 or 128). */
export interface IpRange {
  bytes: Uint8Array;
  prefixLength: number;
}

/**
 * Parses an IPv4 or IPv6 address in its usual text form into 4 or 16 bytes. A zone index
 * (`fe80::1%eth0`) is dropped. Returns null for anything else, including host names.
 */
export function parseIpAddress(text: string): Uint8Array | null {
  const address = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  if (isIPv4(address)) return parseIpv4(address);
  if (isIPv6(address)) return parseIpv6(address);
  return null;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address into a range, or returns null when the text is invalid. */
export function parseIpRange(text: string): IpRange | null {
  const [addressText = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;

  const bytes = parseIpAddress(addressText);
  if (bytes === null) return null;
  const maxPrefix = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefixLength: maxPrefix };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return null;
  return { bytes, prefixLength: Number(prefixText) };
}

/** Tells whether `address` lies in `range`. An IPv4 address never lies in an IPv6 range. */
export function isInRange(address: Uint8Array, range: IpRange): boolean {
  if (address.length !== range.bytes.length) return false;
  let bitsLeft = range.prefixLength;
  for (let index = 0; bitsLeft > 0; index++) {
    const bits = Math.min(8, bitsLeft);
    const mask = (0xff << (8 - bits)) & 0xff;
    if (((address[index] as number) & mask) !== ((range.bytes[index] as number) & mask)) return false;
    bitsLeft -= bits;
  }
  return true;
}

/**
 * Returns the IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`), which
 * dual-stack listeners report for IPv4 clients, or null for any other address.
 */
export function unmapIpv4(address: Uint8Array): Uint8Array | null {
  if (address.length !== 16) return null;
  for (let index = 0; index < 10; index++) if (address[index] !== 0) return null;
  if (address[10] !== 0xff || address[11] !== 0xff) return null;
  return address.slice(12);
}

/** Formats 4 or 16 bytes as text: dotted IPv4, or IPv6 groups in hex without zero compression. */
export function formatIpAddress(address: Uint8Array): string {
  if (address.length === 4) return Array.from(address).join('.');
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) {
    groups.push((((address[index] as number) << 8) | (address[index + 1] as number)).toString(16));
  }
  return groups.join(':');
}

/** Returns the address in the form askgate counts and compares: IPv4-mapped IPv6 addresses become IPv4. */
export function normaliseIpAddress(text: string): string | null {
  const bytes = parseIpAddress(text);
  if (bytes === null) return null;
  return formatIpAddress(unmapIpv4(bytes) ?? bytes);
}

function parseIpv4(text: string): Uint8Array {
  return new Uint8Array(text.split('.').map(Number));
}

/** Expects text that `isIPv6` accepted, so the group count and characters are already valid. */
function parseIpv6(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let hexPart = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // A trailing dotted IPv4 address fills the last 32 bits, and two zero groups hold its place.
    bytes.set(parseIpv4(tail), 12);
    hexPart = text.slice(0, lastColon + 1) + '0:0';
  }

  let groups: string[];
  const gap = hexPart.indexOf('::');
  if (gap === -1) {
    groups = hexPart.split(':');
  } else {
    const left = hexPart.slice(0, gap);
    const right = hexPart.slice(gap + 2);
    const leftGroups = left === '' ? [] : left.split(':');
    const rightGroups = right === '' ? [] : right.split(':');
    const zeros = new Array<string>(8 - leftGroups.length - rightGroups.length).fill('0');
    groups = [...leftGroups, ...zeros, ...rightGroups];
  }

  const keepTail = tail.includes('.');
  groups.forEach((group, index) => {
    if (keepTail && index >= 6) return;
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}
