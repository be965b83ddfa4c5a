/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { ChoiceOption, QuestionType } from '../../challenge/challenge.ts';
import type { MessageKey } from '../i18n/en.ts';
import type { PageContext } from '../page-context.ts';
import { Layout } from './layout.tsx';

export interface QuestionView {
  id: string;
  prompt: string;
  type: QuestionType;
  /** `choice` only, in the order fixed at creation. */
  choices: readonly ChoiceOption[];
}

export interface QuestionPageProps {
  page: PageContext;
  questions: readonly QuestionView[];
  csrfToken: string;
  /** A notice above the form: a wrong answer, a missing answer or a checking failure. */
  notice: { kind: 'error' | 'info'; text: string } | null;
  /** Questions whose answer did not fit the type; each gets its own message. */
  invalidIds: ReadonlySet<string>;
}

/**
 * Attributes of the text box per type. Numbers, PINs and dates use `type="text"` with
 * `inputmode="numeric"` rather than `type="number"`, which drops leading zeros, accepts "e" and
 * changes the value on scroll. The PIN is masked with `type="password"` and
 * `autocomplete="off"`. `autocomplete="one-time-code"` is not used, because phone keyboards then
 * offer the code from the latest SMS, which is a code just received and not the PIN the customer
 * knows.
 * NOTE: browsers' password managers may still offer to save a `type="password"` value.
 */
const inputAttributes: Record<Exclude<QuestionType, 'choice'>, Record<string, string>> = {
  text: { type: 'text', maxlength: '200', autocapitalize: 'off', spellcheck: 'false' },
  number: { type: 'text', inputmode: 'numeric', maxlength: '60' },
  pin: { type: 'password', inputmode: 'numeric', maxlength: '24' },
  date: { type: 'text', inputmode: 'numeric', maxlength: '20' },
};

const invalidMessageKeys: Record<QuestionType, MessageKey> = {
  text: 'answer.invalid.text',
  number: 'answer.invalid.number',
  pin: 'answer.invalid.pin',
  date: 'answer.invalid.date',
  choice: 'answer.invalid.choice',
};

/**
 * The answer form. Texts from the bot carry `dir="auto"`, so an English prompt on an Arabic page
 * (or the reverse) keeps its own direction. It posts back to the page's own URL and works without JavaScript. With one
 * question the field is named `answer`; with several, `answer.<question id>`.
 */
export function QuestionPage(props: QuestionPageProps): JSX.Element {
  const { page, questions } = props;
  const { t } = page;
  const single = questions.length === 1;
  const dateHint = t(page.dateOrder === 'mdy' ? 'date.hint.mdy' : 'date.hint.dmy');
  return (
    <Layout locale={page.locale} dir={page.dir} brand={page.brand} title={t('page.title')}>
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
        {questions.map((question, index) => (
          <QuestionField
            question={question}
            inputId={`q-${index}`}
            name={single ? 'answer' : `answer.${question.id}`}
            invalidText={props.invalidIds.has(question.id) ? t(invalidMessageKeys[question.type]) : null}
            hint={question.type === 'date' ? dateHint : null}
            noticeId={props.notice !== null ? 'notice' : null}
          />
        ))}
        <button type="submit" safe>
          {t('question.submit')}
        </button>
      </form>
      <p class="muted small" safe>{t('question.expires')}</p>
    </Layout>
  );
}

interface QuestionFieldProps {
  question: QuestionView;
  inputId: string;
  name: string;
  /** The format problem of the last submission, or null. */
  invalidText: string | null;
  hint: string | null;
  noticeId: string | null;
}

function QuestionField(props: QuestionFieldProps): JSX.Element {
  const { question, inputId } = props;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [props.hint !== null ? hintId : null, props.invalidText !== null ? errorId : null, props.noticeId]
    .filter((id) => id !== null)
    .join(' ');
  const error = props.invalidText !== null ? (
    <p class="field-error" id={errorId} safe>
      {props.invalidText}
    </p>
  ) : (
    ''
  );

  if (question.type === 'choice') {
    return (
      <fieldset class="field" aria-describedby={describedBy || undefined}>
        <legend dir="auto" safe>
          {question.prompt}
        </legend>
        {error}
        {question.choices.map((choice, index) => (
          <div class="choice">
            <input type="radio" id={`${inputId}-${index}`} name={props.name} value={choice.id} required aria-invalid={props.invalidText !== null ? 'true' : undefined} />
            <label for={`${inputId}-${index}`} dir="auto" safe>
              {choice.label}
            </label>
          </div>
        ))}
      </fieldset>
    );
  }

  return (
    <div class="field">
      <label for={inputId} dir="auto" safe>
        {question.prompt}
      </label>
      {props.hint !== null ? (
        <p class="hint" id={hintId} safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      {error}
      <input
        id={inputId}
        name={props.name}
        required
        autocomplete="off"
        aria-invalid={props.invalidText !== null ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        {...inputAttributes[question.type]}
      />
    </div>
  );
}
