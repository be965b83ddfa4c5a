import type { CreateChallengeRequest } from '../client/index.ts';

/** A question the demo can ask, with the answer it expects, shown to the reader as a hint. */
export interface DemoQuestion {
  key: string;
  /** The label of the choice on the fake chat's start-over form. */
  label: string;
  question: NonNullable<CreateChallengeRequest['questions']>[number];
  /** Tells the reader what to type, since a demo has no secrets to keep. */
  hint: string;
}

/** The demo's questions; the first is asked when the chat opens. */
export const demoQuestions: readonly DemoQuestion[] = [
  {
    key: 'date',
    label: 'Date of birth (date)',
    question: { id: 'dob', prompt: 'What is your date of birth?', type: 'date', answer: '1990-04-12' },
    hint: "the demo's answer is 1990-04-12 (12/04/1990 works too).",
  },
  {
    key: 'text',
    label: 'City of the account (text)',
    question: { id: 'city', prompt: 'In which city did you open your account?', type: 'text', answer: 'Córdoba' },
    hint: "the demo's answer is Córdoba (cordoba works too, because case and accents are ignored).",
  },
  {
    key: 'number',
    label: 'Last four digits of the account (number)',
    question: { id: 'account', prompt: 'What are the last four digits of your account number?', type: 'number', answer: '0042' },
    hint: "the demo's answer is 0042 (leading zeros count).",
  },
];

export const defaultDemoQuestion = demoQuestions[0] as DemoQuestion;

/** Returns the demo question with `key`, or the default one for an unknown key. */
export function findDemoQuestion(key: string | null): DemoQuestion {
  return demoQuestions.find((candidate) => candidate.key === key) ?? defaultDemoQuestion;
}
