/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { Locale } from '../../config/config.ts';

/** The tenant's branding as a page shows it; every field is optional. */
export interface PageBrand {
  /** Shown as text above the content. */
  name: string | null;
  logoUrl: string | null;
  /** The tenant's stylesheet with its accent colour. */
  themeUrl: string | null;
}

export interface LayoutProps {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  title: string;
  brand: PageBrand;
  /** URL the page moves to by itself, for the success page. */
  refreshTo?: string;
  children?: JSX.Element | JSX.Element[];
}

/**
 * The HTML shell of every customer page: no script, stylesheets only from askgate itself.
 * The refresh, when given, has no delay, because WCAG 2.2.1 (and axe-core's meta-refresh rule)
 * rejects a timed redirect. An immediate one is a plain redirect, and when the browser refuses to
 * open the app, the page stays in place with its button.
 */
export function Layout(props: LayoutProps): JSX.Element {
  const { brand } = props;
  return (
    <>
      {'<!doctype html>'}
      <html lang={props.locale} dir={props.dir}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <meta name="color-scheme" content="light dark" />
          {props.refreshTo !== undefined ? <meta http-equiv="refresh" content={`0;url=${props.refreshTo}`} /> : ''}
          <title safe>{props.title}</title>
          <link rel="stylesheet" href="/assets/page.css" />
          {brand.themeUrl !== null ? <link rel="stylesheet" href={brand.themeUrl} /> : ''}
        </head>
        <body>
          <main class="card">
            {brand.name !== null || brand.logoUrl !== null ? (
              <div class="brand">
                {/* The logo is decorative: the name beside it, when given, is the text. */}
                {brand.logoUrl !== null ? <img class="logo" src={brand.logoUrl} alt="" /> : ''}
                {brand.name !== null ? (
                  <span dir="auto" safe>
                    {brand.name}
                  </span>
                ) : (
                  ''
                )}
              </div>
            ) : (
              ''
            )}
            {/* Children are JSX that already escaped every value from the bot with `safe`. */}
            {props.children as 'safe'}
          </main>
        </body>
      </html>
    </>
  );
}
