/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { PageContext } from '../page-context.ts';
import { Layout } from './layout.tsx';

export interface MessagePageProps {
  page: PageContext;
  title: string;
  body: string;
}

/** A page with a title and one paragraph: locked, expired, used, canceled, unknown link, errors. */
export function MessagePage(props: MessagePageProps): JSX.Element {
  const { page } = props;
  return (
    <Layout locale={page.locale} dir={page.dir} brand={page.brand} title={props.title}>
      <h1 safe>{props.title}</h1>
      <p safe>{props.body}</p>
    </Layout>
  );
}
