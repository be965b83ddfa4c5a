import { isInRange, normaliseIpAddress, parseIpAddress, type IpRange } from './ip-address.ts';

/**
 * Finds the address of the client behind a request, for per-address rate limits.
 *
 * `X-Forwarded-For` is read only when the direct peer is a trusted proxy, because anyone can send
 * the header. The list is then walked from the right, skipping trusted proxies, and the first
 * address that is not one is the client. An entry that is not an IP address ends the walk at the
 * hop after it, since nothing left of a malformed entry can be trusted.
 *
 * Returns null when the peer address is unknown (a request not received through Bun.serve).
 */
export function clientAddressOf(peer: string | null, forwardedFor: string | null, trustedProxies: readonly IpRange[]): string | null {
  const peerAddress = peer === null ? null : normaliseIpAddress(peer);
  if (peerAddress === null) return null;
  if (forwardedFor === null || !isTrusted(peerAddress, trustedProxies)) return peerAddress;

  const hops = forwardedFor.split(',').map((hop) => hop.trim());
  let client = peerAddress;
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = normaliseIpAddress(hops[index] as string);
    if (hop === null) break;
    client = hop;
    if (!isTrusted(hop, trustedProxies)) break;
  }
  return client;
}

function isTrusted(address: string, trustedProxies: readonly IpRange[]): boolean {
  const bytes = parseIpAddress(address);
  return bytes !== null && trustedProxies.some((range) => isInRange(bytes, range));
}
