import { lookup } from 'node:dns/promises';
import { isInRange, parseIpAddress, parseIpRange, type IpRange } from './ip-address.ts';

/**
 * Address ranges that askgate sends no request to unless the operator allows private targets. They
 * cover loopback, private networks, link-local, shared address space (CGNAT), unique-local
 * IPv6, multicast, documentation and reserved blocks (IANA special-purpose address registries).
 * The cloud metadata endpoints fall inside them: 169.254.169.254 (AWS, Azure, GCP) is link-local,
 * 100.100.100.200 (Alibaba Cloud) is CGNAT, 192.0.0.192 (Oracle Cloud) is in 192.0.0.0/24 and
 * fd00:ec2::254 (AWS over IPv6) is unique-local.
 */
const forbiddenRanges: readonly { range: IpRange; name: string }[] = [
  ['0.0.0.0/8', 'this network'],
  ['10.0.0.0/8', 'private network'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private network'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private network'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/96', 'unspecified, loopback or IPv4-compatible'],
  ['::ffff:0:0:0/96', 'IPv4-translated'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
].map(([text, name]) => ({ range: parseIpRange(text as string) as IpRange, name: name as string }));

/**
 * IPv6 prefixes that carry an IPv4 address, which is checked in their place. The offset is
 * where its four bytes start.
 */
const ipv4Carriers: readonly { range: IpRange; offset: number; name: string }[] = [
  { range: parseIpRange('::ffff:0:0/96') as IpRange, offset: 12, name: 'IPv4-mapped' },
  { range: parseIpRange('64:ff9b::/96') as IpRange, offset: 12, name: 'NAT64' },
  { range: parseIpRange('2002::/16') as IpRange, offset: 2, name: '6to4' },
];

/**
 * Names the forbidden range that contains `ip`, or returns null when askgate may call it. Text
 * that is not an IP address counts as forbidden, so that a parsing gap fails closed.
 */
export function forbiddenRangeOf(ip: string): string | null {
  const bytes = parseIpAddress(ip);
  if (bytes === null) return 'not an IP address';
  return forbiddenRangeOfBytes(bytes);
}

/** Tells whether askgate must reject a request to `ip` (see `forbiddenRangeOf`). */
export function isForbiddenAddress(ip: string): boolean {
  return forbiddenRangeOf(ip) !== null;
}

function forbiddenRangeOfBytes(bytes: Uint8Array): string | null {
  for (const carrier of ipv4Carriers) {
    if (!isInRange(bytes, carrier.range)) continue;
    const inner = forbiddenRangeOfBytes(bytes.slice(carrier.offset, carrier.offset + 4));
    return inner === null ? null : `${carrier.name} ${inner}`;
  }
  for (const { range, name } of forbiddenRanges) {
    if (isInRange(bytes, range)) return name;
  }
  return null;
}

export interface OutboundPolicy {
  /** Host names the URL may use, in lowercase. Null allows any host, for URLs the operator configured. */
  allowHosts: readonly string[] | null;
  /** Allows loopback, private and the other forbidden ranges, for tests and private deployments. */
  allowPrivate: boolean;
  /** Resolves a host name to its addresses. Defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<string[]>;
}

export type OutboundRefusal =
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'credentials_in_url'
  | 'host_not_allowed'
  | 'resolution_failed'
  | 'forbidden_address';

export type OutboundDecision =
  | { allowed: true; hostname: string; addresses: string[] }
  | { allowed: false; reason: OutboundRefusal; detail: string };

/**
 * Decides whether askgate may send a request to `url`: http(s) only, no user name or password,
 * the host on `allowHosts` (when given), and, unless `allowPrivate`, every address the host
 * resolves to outside the forbidden ranges. An IP literal is checked without a DNS query.
 *
 * NOTE: fetch resolves the host again, so a DNS server that answers differently on the second
 * query (DNS rebinding) can still steer one request to a forbidden address. The host allow-list
 * and an egress firewall close that gap; this check stops the plain cases.
 */
export async function checkOutboundUrl(url: string, policy: OutboundPolicy): Promise<OutboundDecision> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, reason: 'invalid_url', detail: 'the URL cannot be parsed' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { allowed: false, reason: 'unsupported_scheme', detail: `the scheme ${parsed.protocol} is not http or https` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { allowed: false, reason: 'credentials_in_url', detail: 'the URL contains a user name or password' };
  }

  const hostname = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (policy.allowHosts !== null && !policy.allowHosts.includes(hostname)) {
    return { allowed: false, reason: 'host_not_allowed', detail: `the host ${hostname} is not on the allow-list` };
  }

  let addresses: string[];
  if (parseIpAddress(hostname) !== null) {
    addresses = [hostname];
  } else {
    try {
      addresses = await (policy.resolve ?? resolveAll)(hostname);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      return { allowed: false, reason: 'resolution_failed', detail: `the host ${hostname} did not resolve (${code})` };
    }
    if (addresses.length === 0) {
      return { allowed: false, reason: 'resolution_failed', detail: `the host ${hostname} resolved to no address` };
    }
  }

  if (!policy.allowPrivate) {
    for (const address of addresses) {
      const range = forbiddenRangeOf(address);
      if (range !== null) {
        return { allowed: false, reason: 'forbidden_address', detail: `the host ${hostname} resolves to ${address} (${range})` };
      }
    }
  }
  return { allowed: true, hostname, addresses };
}

async function resolveAll(hostname: string): Promise<string[]> {
  const results = await lookup(hostname, { all: true, verbatim: true });
  return results.map((result) => result.address);
}
