import type { ChoiceOption } from './answer-types/choice.ts';
import type { QuestionType } from './answer-types/index.ts';
import type { MetadataValue } from './challenge.ts';

/** A question in the general `questions` form of a create request. */
export interface QuestionInput {
  id: string;
  prompt: string;
  type?: QuestionType;
  answer?: string;
  /** `choice` only: the options, in the bot's order. */
  choices?: ChoiceOption[];
}

export interface ReturnInput {
  channel: 'whatsapp' | 'telegram' | 'messenger' | 'url';
  phone?: string;
  text?: string;
  bot?: string;
  payload?: string;
  page?: string;
  ref?: string;
  url?: string;
}

/** The body of `POST /v1/challenges` after schema validation. */
export interface CreateChallengeInput {
  client_id: string;
  question?: string;
  answer?: string;
  questions?: QuestionInput[];
  /** How many of `questions` to pick at random and show; default all. */
  ask?: number;
  validation_url?: string;
  return?: ReturnInput;
  expires_in?: number;
  max_attempts?: number;
  locale?: string;
  metadata?: Record<string, MetadataValue>;
  webhook_url?: string;
}

export const limits = {
  clientIdLength: 128,
  promptLength: 500,
  answerLength: 200,
  questionCount: 10,
  questionIdLength: 40,
  choiceIdLength: 40,
  choiceLabelLength: 200,
  returnTextLength: 500,
  metadataKeys: 20,
  metadataKeyLength: 40,
  metadataValueLength: 500,
  minExpiresInSeconds: 10,
  maxExpiresInSeconds: 86400,
  maxAttempts: 10,
  defaultMaxAttempts: 3,
  webhookUrlLength: 2048,
  returnCodeInputLength: 64,
} as const;
