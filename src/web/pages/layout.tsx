/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { Locale } from '../../config/config.ts';

export interface LayoutProps {
  locale: Locale;
  title: string;
  /** Where to move by itself after a few seconds, for the success page. */
  refreshTo?: string;
  children?: JSX.Element | JSX.Element[];
}

/** The HTML shell of every customer page: no script, one stylesheet from askgate itself. */
export function Layout(props: LayoutProps): JSX.Element {
  return (
    <>
      {'<!doctype html>'}
      <html lang={props.locale} dir="ltr">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <meta name="color-scheme" content="light dark" />
          {props.refreshTo !== undefined ? <meta http-equiv="refresh" content={`3;url=${props.refreshTo}`} /> : ''}
          <title safe>{props.title}</title>
          <link rel="stylesheet" href="/assets/page.css" />
        </head>
        <body>
          {/* Children are JSX that already escaped every value from the bot with `safe`. */}
          <main class="card">{props.children as 'safe'}</main>
        </body>
      </html>
    </>
  );
}
