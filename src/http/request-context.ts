import { generateRequestId } from '../challenge/ids.ts';

const requestIds = new WeakMap<Request, string>();

/** Returns the request id of `request`, creating one on first use. */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    id = generateRequestId();
    requestIds.set(request, id);
  }
  return id;
}

/** Lookup of the TCP peer address of one request, which yields null when Bun cannot report it. */
export type PeerAddressLookup = () => string | null;

const peerAddressLookups = new WeakMap<Request, PeerAddressLookup>();

/**
 * Records how to find the address of the TCP peer that sent `request`. The lookup runs only when
 * `peerAddressOf` is called, because asking Bun for the address costs a few microseconds and
 * most requests (every page view) never need it.
 */
export function setPeerAddressLookup(request: Request, lookup: PeerAddressLookup): void {
  peerAddressLookups.set(request, lookup);
}

/** Returns the TCP peer address of `request`, or null when it did not come through Bun.serve. */
export function peerAddressOf(request: Request): string | null {
  return peerAddressLookups.get(request)?.() ?? null;
}
