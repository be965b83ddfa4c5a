/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { Locale } from '../../config/config.ts';
import type { Translate } from '../i18n/catalogue.ts';
import { Layout } from './layout.tsx';

export interface SuccessPageProps {
  locale: Locale;
  t: Translate;
  deepLink: string;
  /** WhatsApp, Telegram, Messenger, or null for an operator URL. */
  channelName: string | null;
}

/**
 * Shown after a right answer. The main link goes back to the chat; the page also moves there
 * by itself after three seconds, because some in-app browsers do not follow a redirect into an app.
 */
export function SuccessPage(props: SuccessPageProps): JSX.Element {
  const { t } = props;
  const label = props.channelName === null ? t('success.buttonGeneric') : t('success.button', { channel: props.channelName });
  return (
    <Layout locale={props.locale} title={t('success.title')} refreshTo={props.deepLink}>
      <h1 safe>{t('success.title')}</h1>
      <p safe>{t('success.body')}</p>
      <a id="return-link" class="button" href={props.deepLink} safe>
        {label}
      </a>
    </Layout>
  );
}
