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

const peerAddresses = new WeakMap<Request, string>();

/** Records the address of the TCP peer that sent `request`, as Bun.serve reports it. */
export function setPeerAddress(request: Request, address: string): void {
  peerAddresses.set(request, address);
}

/** Returns the TCP peer address of `request`, or null when it did not come through Bun.serve. */
export function peerAddressOf(request: Request): string | null {
  return peerAddresses.get(request) ?? null;
}
