/** Largest request body either listener accepts; larger bodies get 413 before anything parses them. */
export const maxRequestBodyBytes = 16 * 1024;

const oversized = new WeakSet<Request>();

/**
 * Returns the request to hand to the app. A body with a Content-Length is left unread, because
 * `isBodyTooLarge` judges it by the header. A body without one (chunked transfer encoding) is
 * read here, up to `maxBytes` and no further. When it is longer, the returned request has no
 * body and is marked too large.
 */
export async function limitRequestBody(request: Request, maxBytes = maxRequestBodyBytes): Promise<Request> {
  if (request.body === null || request.headers.has('content-length')) return request;

  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      const emptied = copyRequest(request, null);
      oversized.add(emptied);
      return emptied;
    }
    chunks.push(value);
  }
  return copyRequest(request, new Blob(chunks as BlobPart[]));
}

/** Tells whether the body of `request` is over the limit, by its Content-Length or by `limitRequestBody`. */
export function isBodyTooLarge(request: Request, maxBytes = maxRequestBodyBytes): boolean {
  if (oversized.has(request)) return true;
  const length = request.headers.get('content-length');
  if (length === null) return false;
  return !/^\d+$/.test(length.trim()) || Number(length) > maxBytes;
}

function copyRequest(request: Request, body: Blob | null): Request {
  const headers = new Headers(request.headers);
  headers.delete('transfer-encoding');
  return new Request(request.url, { method: request.method, headers, body });
}
