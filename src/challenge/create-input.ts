import type { MetadataValue } from './challenge.ts';

/** A question in the general `questions` form of a create request. */
export interface QuestionInput {
  id: string;
  prompt: string;
  type?: 'text';
  answer?: string;
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
