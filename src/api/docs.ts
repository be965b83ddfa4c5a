import bundlePath from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import stylesPath from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };
import { Elysia } from 'elysia';

/**
 * The API docs UI, served entirely by askgate: Swagger UI's files are embedded in the build, so
 * the docs render on a host with no internet access. No inline script, so the strict CSP holds.
 */
const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>askgate API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

const initScript = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

const docsPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function docsRoutes() {
  const html = { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': docsPolicy };
  return new Elysia({ name: 'askgate-docs' })
    .get('/docs', () => new Response(docsPage, { headers: html }), { detail: { hide: true } })
    .get('/docs/init.js', () => new Response(initScript, { headers: { 'content-type': 'text/javascript; charset=utf-8' } }), { detail: { hide: true } })
    .get('/docs/swagger-ui-bundle.js', () => new Response(Bun.file(bundlePath), { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), { detail: { hide: true } })
    .get('/docs/swagger-ui.css', () => new Response(Bun.file(stylesPath), { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), { detail: { hide: true } });
}
