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
