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
 * Shown after a right answer. The page moves back to the chat by itself, and its main link goes
 * there too, because some in-app browsers do not follow a redirect into an app.
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
