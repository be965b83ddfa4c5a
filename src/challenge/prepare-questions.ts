import { invalidField } from '../errors/app-error.ts';
import { maxChoices, minChoices, randomBelow, shuffleChoices } from './answer-types/choice.ts';
import { normaliseExpectedAnswer } from './answer-types/index.ts';
import type { StoredQuestion } from './challenge.ts';
import type { CreateChallengeInput, QuestionInput } from './create-input.ts';

/** Turns a question id and its normalised expected answer into the stored keyed hash. */
export type AnswerHasher = (questionId: string, normalisedAnswer: string) => string;

/** Returns the questions of a create request, from either the one-question or the general form. */
export function collectQuestions(input: CreateChallengeInput): QuestionInput[] {
  if (input.questions !== undefined) {
    if (input.question !== undefined) throw invalidField('question', 'cannot be combined with questions; use one form');
    if (input.answer !== undefined) throw invalidField('answer', 'belongs to the question form; put answers inside questions[]');
    const seen = new Set<string>();
    input.questions.forEach((question, index) => {
      if (seen.has(question.id)) throw invalidField(`questions.${index}.id`, 'must be unique within the challenge');
      seen.add(question.id);
    });
    return input.questions;
  }
  if (input.question === undefined) throw invalidField('question', 'is required (or give questions[])');
  const single: QuestionInput = { id: 'q1', prompt: input.question, type: 'text' };
  if (input.answer !== undefined) single.answer = input.answer;
  return [single];
}

/**
 * Checks every question against the rules of its type, then picks `ask` of them at random
 * (all when `ask` is undefined), shuffles the options of choice questions and hashes expected
 * answers. Questions that are not picked are checked too, so a request is valid or not whatever
 * the draw, and their answers are dropped unhashed.
 */
export function prepareQuestions(input: CreateChallengeInput, questions: QuestionInput[], hashAnswer: AnswerHasher): StoredQuestion[] {
  const fieldOf = (index: number, name: string) => (input.questions === undefined ? name : `questions.${index}.${name}`);
  const prepared = questions.map((question, index) => prepareQuestion(question, (name) => fieldOf(index, name), hashAnswer));

  if (input.ask === undefined) return prepared;
  if (input.ask < 1 || input.ask > prepared.length) {
    throw invalidField('ask', `must be from 1 to the number of questions (${prepared.length})`);
  }
  return pickInOrder(prepared, input.ask);
}

function prepareQuestion(question: QuestionInput, fieldOf: (name: string) => string, hashAnswer: AnswerHasher): StoredQuestion {
  const type = question.type ?? 'text';
  const stored: StoredQuestion = { id: question.id, prompt: question.prompt, type, answerHash: null };

  if (type === 'choice') {
    stored.choices = shuffleChoices(checkChoices(question, fieldOf));
  } else if (question.choices !== undefined) {
    throw invalidField(fieldOf('choices'), `is only used by choice questions; remove it from this ${type} question`);
  }

  if (question.answer !== undefined) {
    const expected = normaliseExpectedAnswer(stored, question.answer);
    if ('problem' in expected) throw invalidField(fieldOf('answer'), expected.problem);
    stored.answerHash = hashAnswer(question.id, expected.value);
  }
  return stored;
}

function checkChoices(question: QuestionInput, fieldOf: (name: string) => string): NonNullable<QuestionInput['choices']> {
  const choices = question.choices;
  if (choices === undefined || choices.length < minChoices || choices.length > maxChoices) {
    throw invalidField(fieldOf('choices'), `must list ${minChoices} to ${maxChoices} options as {id, label} for a choice question`);
  }
  const seen = new Set<string>();
  choices.forEach((choice, index) => {
    if (seen.has(choice.id)) throw invalidField(`${fieldOf('choices')}.${index}.id`, 'must be unique within the question');
    seen.add(choice.id);
  });
  return choices;
}

/** Picks `count` items uniformly at random and keeps them in their original order. */
function pickInOrder<T>(items: T[], count: number): T[] {
  const indexes = items.map((_, index) => index);
  for (let slot = 0; slot < count; slot++) {
    const other = slot + randomBelow(indexes.length - slot);
    [indexes[slot], indexes[other]] = [indexes[other] as number, indexes[slot] as number];
  }
  return indexes
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => items[index] as T);
}
