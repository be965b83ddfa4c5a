/** Headers sent on every response of both listeners. */
export const baseSecurityHeaders: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Content Security Policy of the customer page: no script at all, styles and images only from
 * askgate itself, forms only back to askgate.
 */
export const pageContentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The API answers JSON only; nothing it returns should load or frame anything. */
export const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

/** One year, as browsers expect for a host that is only served over TLS. */
export const strictTransportSecurity = 'max-age=31536000';

/** Copies `headers` into `target` without replacing values a handler set on purpose. */
export function applyHeaders(target: Headers, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!target.has(name)) target.set(name, value);
  }
}
