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

/**
 * One year, and for subdomains too, because OWASP ASVS 5.0 (3.4.1) requires at least a year and,
 * from level 2, subdomains.
 */
export const strictTransportSecurity = 'max-age=31536000; includeSubDomains';

/** Headers that name the server software; Bun sends none of them today, and none may appear. */
const bannerHeaders = ['server', 'x-powered-by', 'x-aspnet-version', 'x-runtime'];

export function removeBannerHeaders(headers: Headers): void {
  for (const name of bannerHeaders) headers.delete(name);
}

/** Copies `headers` into `target` without replacing values a handler set on purpose. */
export function applyHeaders(target: Headers, headers: Record<string, string> | readonly (readonly [string, string])[]): void {
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) {
    if (!target.has(name)) target.set(name, value);
  }
}
