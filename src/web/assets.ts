import { Elysia } from 'elysia';
import pageCss from './page.css' with { type: 'text' };
import type { TenantDirectory } from '../config/tenants-file.ts';
import { svgContentSecurityPolicy } from './branding/logo.ts';
import { buildThemeStylesheet } from './branding/theme-css.ts';

const cacheForAnHour = 'public, max-age=3600';

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Serves the page's stylesheet, each tenant's theme (`/assets/theme/<tenant>.css`) and logo
 * (`/assets/logo/<tenant>.<png|svg|webp>`), all read or built at start-up.
 */
export function assetRoutes(tenants: TenantDirectory) {
  const themes = new Map<string, string>();
  const logos = new Map<string, { bytes: Uint8Array<ArrayBuffer>; headers: Record<string, string> }>();
  for (const [tenantId, settings] of Object.entries(tenants)) {
    if (settings.accentColor !== null) themes.set(`${tenantId}.css`, buildThemeStylesheet(settings.accentColor));
    if (settings.logo !== null) {
      const headers: Record<string, string> = {
        'content-type': settings.logo.contentType,
        'x-content-type-options': 'nosniff',
        'cache-control': cacheForAnHour,
      };
      if (settings.logo.extension === 'svg') headers['content-security-policy'] = svgContentSecurityPolicy;
      logos.set(`${tenantId}.${settings.logo.extension}`, { bytes: settings.logo.bytes, headers });
    }
  }

  return new Elysia({ name: 'askgate-web-assets' })
    .get('/assets/page.css', () => new Response(pageCss, { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': cacheForAnHour } }))
    .get('/assets/theme/:file', ({ params }) => {
      const css = themes.get(params.file);
      if (css === undefined) return notFound();
      return new Response(css, { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': cacheForAnHour } });
    })
    .get('/assets/logo/:file', ({ params }) => {
      const logo = logos.get(params.file);
      if (logo === undefined) return notFound();
      return new Response(logo.bytes, { headers: logo.headers });
    });
}
