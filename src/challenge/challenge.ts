/** Domain types of a challenge, independent of HTTP and of the store behind them. */
import type { ChoiceOption } from './answer-types/choice.ts';
import type { QuestionType } from './answer-types/index.ts';

export type ChallengeStatus = 'pending' | 'passed' | 'failed' | 'expired' | 'canceled';

export const terminalStatuses: ReadonlySet<ChallengeStatus> = new Set([
  'passed',
  'failed',
  'expired',
  'canceled',
]);

export type { ChoiceOption, QuestionType };

/** A question as stored: the expected answer survives only as its keyed hash. */
export interface StoredQuestion {
  id: string;
  prompt: string;
  type: QuestionType;
  /** HMAC-SHA256 of the expected answer normalised by its type; null when a validation URL checks it. */
  answerHash: string | null;
  /**
   * `choice` questions only: the options in the order the page shows them, shuffled once at
   * creation. Absent on other types (and on records written before choice questions existed).
   */
  choices?: ChoiceOption[];
}

export type ReturnTarget =
  | { channel: 'whatsapp'; digits: string; text: string | null }
  | { channel: 'telegram'; bot: string; payload: string | null }
  | { channel: 'messenger'; page: string; ref: string | null }
  | { channel: 'url'; url: string };

export type Verifier = { kind: 'hash' } | { kind: 'callback'; url: string };

export type MetadataValue = string | number | boolean | null;

export interface Challenge {
  id: string;
  tenantId: string;
  clientId: string;
  /** SHA-256 of the page token; the token itself is never stored. */
  tokenHash: string;
  questions: StoredQuestion[];
  verifier: Verifier;
  returnTarget: ReturnTarget;
  locale: string | null;
  metadata: Record<string, MetadataValue>;
  status: ChallengeStatus;
  attempts: number;
  maxAttempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
  returnCode: string | null;
  /** When the bot proved, through confirm, that the customer's chat message carried the return code. */
  confirmedAt: number | null;
  /** Receiver of this challenge's events, fixed at creation; null when none is configured. */
  webhookUrl: string | null;
}

/** The outcome of checking one submission, before it is recorded. */
export type CheckOutcome = 'right' | 'wrong';
