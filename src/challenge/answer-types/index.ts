import { normaliseChoice, type ChoiceOption } from './choice.ts';
import { normaliseDate, parseIsoDate, type DateOrder } from './date.ts';
import { maxNumberDigits, normaliseNumber } from './number.ts';
import { maxPinDigits, minPinDigits, normalisePin } from './pin.ts';
import { normaliseText } from './text.ts';

export const questionTypes = ['text', 'number', 'pin', 'date', 'choice'] as const;
export type QuestionType = (typeof questionTypes)[number];

/** The parts of a question that normalisation reads: its type and, for `choice`, its options. */
export interface TypedQuestion {
  type: QuestionType;
  choices?: readonly ChoiceOption[];
}

/**
 * Normalises a customer's answer by the question's type: text normalisation for `text`, ASCII
 * digits for `number` and `pin`, ISO yyyy-mm-dd for `date` (read in `dateOrder` unless it is
 * ISO already), the option id for `choice`. Returns null when the answer does not fit the type,
 * which the page reports as a format error without using an attempt.
 */
export function normaliseSubmittedAnswer(question: TypedQuestion, answer: string, dateOrder: DateOrder): string | null {
  switch (question.type) {
    case 'text': {
      const text = normaliseText(answer);
      return text === '' ? null : text;
    }
    case 'number':
      return normaliseNumber(answer);
    case 'pin':
      return normalisePin(answer);
    case 'date':
      return normaliseDate(answer, dateOrder);
    case 'choice':
      return normaliseChoice(answer, question.choices ?? []);
  }
}

/**
 * Normalises the bot's expected answer at creation by the same rules, except that a `date`
 * answer must be ISO yyyy-mm-dd. Returns the reason, worded for the API, when it does not fit.
 */
export function normaliseExpectedAnswer(question: TypedQuestion, answer: string): { value: string } | { problem: string } {
  switch (question.type) {
    case 'text': {
      const value = normaliseText(answer);
      return value === '' ? { problem: 'must contain at least one letter, digit or symbol' } : { value };
    }
    case 'number': {
      const value = normaliseNumber(answer);
      return value === null ? { problem: `must be 1 to ${maxNumberDigits} digits (spaces, dots, commas and hyphens are ignored)` } : { value };
    }
    case 'pin': {
      const value = normalisePin(answer);
      return value === null ? { problem: `must be ${minPinDigits} to ${maxPinDigits} digits` } : { value };
    }
    case 'date': {
      const value = parseIsoDate(answer);
      return value === null ? { problem: 'must be a date that exists, in ISO form yyyy-mm-dd, for example 1990-04-12' } : { value };
    }
    case 'choice': {
      const value = normaliseChoice(answer, question.choices ?? []);
      return value === null ? { problem: 'must be the id of one of the choices' } : { value };
    }
  }
}
