/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { PageContext } from '../page-context.ts';
import { Layout } from './layout.tsx';

export interface SuccessPageProps {
  page: PageContext;
  deepLink: string;
  /** WhatsApp, Telegram, Messenger, the tenant's name for an operator URL, or null. */
  destinationName: string | null;
}

/**
 * Shown after a right answer. The main link goes back to the chat, and the page also moves
 * there by itself, because some in-app browsers do not follow a redirect into an app while
 * others refuse a link that was not tapped.
 */
export function SuccessPage(props: SuccessPageProps): JSX.Element {
  const { page } = props;
  const { t } = page;
  const label = props.destinationName === null ? t('success.buttonGeneric') : t('success.button', { channel: props.destinationName });
  return (
    <Layout locale={page.locale} dir={page.dir} brand={page.brand} title={t('success.title')} refreshTo={props.deepLink}>
      <h1 safe>{t('success.title')}</h1>
      <p safe>{t('success.body')}</p>
      <a id="return-link" class="button" href={props.deepLink} safe>
        {label}
      </a>
    </Layout>
  );
}
