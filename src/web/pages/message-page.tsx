/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { Locale } from '../../config/config.ts';
import { Layout } from './layout.tsx';

export interface MessagePageProps {
  locale: Locale;
  title: string;
  body: string;
}

/** A page with a title and one paragraph: locked, expired, used, canceled, unknown link, errors. */
export function MessagePage(props: MessagePageProps): JSX.Element {
  return (
    <Layout locale={props.locale} title={props.title}>
      <h1 safe>{props.title}</h1>
      <p safe>{props.body}</p>
    </Layout>
  );
}
