/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { Locale } from '../../config/config.ts';
import type { Translate } from '../i18n/catalogue.ts';
import { Layout } from './layout.tsx';

export interface QuestionPageProps {
  locale: Locale;
  t: Translate;
  questions: { id: string; prompt: string }[];
  csrfToken: string;
  /** A notice above the form: a wrong answer, a missing answer or a checking failure. */
  notice: { kind: 'error' | 'info'; text: string } | null;
}

/**
 * The answer form. It posts back to the page's own URL and works without JavaScript. With one
 * question the field is named `answer`; with several, `answer.<question id>`.
 */
export function QuestionPage(props: QuestionPageProps): JSX.Element {
  const { t, questions } = props;
  const single = questions.length === 1;
  return (
    <Layout locale={props.locale} title={t('page.title')}>
      <h1 safe>{t('question.heading')}</h1>
      <p class="muted" safe>{t('question.intro')}</p>
      {props.notice !== null ? (
        <p class={`notice ${props.notice.kind}`} role="alert" id="notice" safe>
          {props.notice.text}
        </p>
      ) : (
        ''
      )}
      <form method="post" autocomplete="off">
        <input type="hidden" name="csrf" value={props.csrfToken} />
        {questions.map((question, index) => {
          const name = single ? 'answer' : `answer.${question.id}`;
          const inputId = `q-${index}`;
          return (
            <div class="field">
              <label for={inputId} safe>
                {question.prompt}
              </label>
              <input
                id={inputId}
                name={name}
                type="text"
                required
                maxlength="200"
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                aria-describedby={props.notice !== null ? 'notice' : undefined}
                autofocus={index === 0}
              />
            </div>
          );
        })}
        <button type="submit" safe>
          {t('question.submit')}
        </button>
      </form>
      <p class="muted small" safe>{t('question.expires')}</p>
    </Layout>
  );
}
