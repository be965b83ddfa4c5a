import { AppError, invalidField } from '../errors/app-error.ts';
import type { Logger } from '../log/logger.ts';
import { rateLimitKeys } from '../security/abuse-limits.ts';
import { hmacSha256, sha256 } from '../security/digest.ts';
import { deriveSealKey, openText, sealText } from '../security/sealed-box.ts';
import type { ChallengeStore, CreateLimits } from '../store/store.ts';
import type { DateOrder } from './answer-types/date.ts';
import { normaliseSubmittedAnswer } from './answer-types/index.ts';
import type { Challenge, MetadataValue, Verifier } from './challenge.ts';
import { limits, type CreateChallengeInput, type QuestionInput } from './create-input.ts';
import { generateChallengeId, generatePageToken } from './ids.ts';
import { collectQuestions, prepareQuestions } from './prepare-questions.ts';
import { parseReturnTarget } from './return-target.ts';
import { askValidationUrl, type CallbackVerdict } from './verifier/callback-verifier.ts';
import { hashAnswer, matchesAnswerHash } from './verifier/hash-verifier.ts';

export interface ChallengeServiceOptions {
  store: ChallengeStore;
  secret: string;
  logger: Logger;
  defaultExpiresInSeconds: number;
  defaultValidationUrl: string | null;
  /** Hosts that a per-challenge validation_url may point to. */
  validationUrlHosts: readonly string[];
  validationTimeoutMs: number;
  defaultWhatsappDigits: string | null;
  returnUrlHosts: readonly string[];
  /** Accept http:// return URLs on loopback hosts of returnUrlHosts (default false). */
  returnUrlAllowLoopbackHttp?: boolean;
  signingSecrets: () => readonly string[];
  createLimits: CreateLimits;
  /** Receiver of events for challenges that name none; null when events are only polled. */
  defaultWebhookUrl: string | null;
  /** Hosts that a per-challenge webhook_url may point to; empty or absent rejects every one. */
  webhookUrlHosts?: readonly string[];
  /** How long after passing a return code can be confirmed (default 900). */
  confirmWindowSeconds?: number;
  /** Called after a change that stored an event, so that delivery can start at once. */
  onEventStored?: () => void;
  /** Wrong answers per (tenant, client_id) allowed within a fixed window, across all its challenges. */
  clientFailures: { max: number; windowSeconds: number };
  /** Lets validation requests reach loopback, private and metadata addresses. */
  allowPrivateOutbound: boolean;
  now?: () => number;
}

/** Confirmation tries allowed per challenge and window; a right code resets the count. */
export const confirmRateLimit = { tries: 5, windowSeconds: 900 } as const;

/** Outcome of one page submission. */
export type SubmissionResult =
  | { kind: 'not_found' }
  /** Some answers do not fit their question's type (a letter in a number, a date that does not exist); no attempt was used. */
  | { kind: 'unreadable'; questionIds: string[] }
  | { kind: 'ended'; challenge: Challenge }
  | { kind: 'unavailable'; challenge: Challenge }
  | { kind: 'wrong'; challenge: Challenge }
  | { kind: 'locked'; challenge: Challenge }
  | { kind: 'passed'; challenge: Challenge }
  /** Too many wrong answers for this client recently; nothing was checked or recorded. */
  | { kind: 'client_locked'; challenge: Challenge; retryAfterSeconds: number };

/** The challenge life cycle, free of HTTP: creation, lookup, answer checking and cancelation. */
export class ChallengeService {
  private readonly now: () => number;
  private readonly replyKey: Buffer;

  constructor(private readonly options: ChallengeServiceOptions) {
    this.now = options.now ?? Date.now;
    this.replyKey = deriveSealKey(options.secret, 'idempotent reply');
  }

  /**
   * Validates the cross-field rules that the schema cannot express, hashes expected answers,
   * and stores a new pending challenge. Returns the challenge and its page token, which exists
   * only in this return value and in the URL given to the bot.
   */
  async create(tenantId: string, input: CreateChallengeInput): Promise<{ challenge: Challenge; pageToken: string }> {
    const id = generateChallengeId();
    const questionInputs = collectQuestions(input);
    const verifier = this.chooseVerifier(input, questionInputs);
    const questions = prepareQuestions(input, questionInputs, (questionId, normalised) =>
      hashAnswer(this.options.secret, id, questionId, normalised),
    );
    const returnTarget = parseReturnTarget(input.return, this.options.defaultWhatsappDigits, this.options.returnUrlHosts, {
      allowLoopbackHttp: this.options.returnUrlAllowLoopbackHttp ?? false,
    });
    const metadata = checkMetadata(input.metadata);
    const createdAt = this.now();
    const expiresInSeconds = input.expires_in ?? this.options.defaultExpiresInSeconds;
    const pageToken = generatePageToken();

    const challenge: Challenge = {
      id,
      tenantId,
      clientId: input.client_id,
      tokenHash: sha256(pageToken),
      questions,
      verifier,
      returnTarget,
      locale: input.locale ?? null,
      metadata,
      status: 'pending',
      attempts: 0,
      maxAttempts: input.max_attempts ?? limits.defaultMaxAttempts,
      createdAt,
      expiresAt: createdAt + expiresInSeconds * 1000,
      completedAt: null,
      returnCode: null,
      confirmedAt: null,
      webhookUrl: this.chooseWebhookUrl(input),
    };
    const result = await this.options.store.createChallenge(challenge, this.options.createLimits, createdAt);
    if (!result.created) {
      this.options.logger.warn('challenge rejected: pending limit reached', { tenant: tenantId, max_pending: this.options.createLimits.maxPendingTotal });
      throw new AppError('rate_limited', `askgate holds the maximum of ${this.options.createLimits.maxPendingTotal} pending challenges. Retry when some have finished.`, { retryAfterSeconds: 5 });
    }
    if (result.replaced.length > 0) this.options.onEventStored?.();
    const log = this.options.logger.child({ tenant: tenantId });
    for (const older of result.replaced) {
      log.info('challenge canceled: replaced by a newer challenge for the same client', { challenge_id: older.id, replaced_by: id });
    }
    log.info('challenge created', {
      challenge_id: id,
      verifier: verifier.kind,
      questions: questions.length,
      expires_in_s: expiresInSeconds,
    });
    return { challenge, pageToken };
  }

  /**
   * Returns a keyed hash of a create request, to recognise a retry with the same Idempotency-Key.
   * It is keyed because the body contains the expected answer, which an unkeyed hash would expose to
   * guessing by anyone who can read the store.
   */
  fingerprint(input: CreateChallengeInput): string {
    return hmacSha256(this.options.secret, `askgate idempotency v1\n${JSON.stringify(input)}`);
  }

  /**
   * Encrypts a create reply before it is stored for Idempotency-Key retries. The reply contains
   * the page URL, and the store must keep no usable page token, only its hash.
   */
  sealReply(body: string): string {
    return sealText(this.replyKey, body);
  }

  /** Decrypts a stored create reply; null when it was sealed under another secret or altered. */
  openReply(sealed: string): string | null {
    return openText(this.replyKey, sealed);
  }

  async find(tenantId: string, id: string): Promise<Challenge> {
    const challenge = await this.options.store.findChallenge(tenantId, id);
    if (!challenge) throw new AppError('not_found', 'No challenge with this id exists for this API key. Check the id; finished challenges are dropped after the retention window.');
    return challenge;
  }

  async cancel(tenantId: string, id: string): Promise<Challenge> {
    const result = await this.options.store.cancelChallenge(tenantId, id, this.now());
    if (result.outcome === 'not_found') {
      throw new AppError('not_found', 'No challenge with this id exists for this API key.');
    }
    if (result.outcome === 'not_pending') {
      throw new AppError('challenge_not_pending', `The challenge is already ${result.challenge.status} and cannot be canceled.`);
    }
    this.options.onEventStored?.();
    this.options.logger.info('challenge canceled', { tenant: tenantId, challenge_id: id });
    return result.challenge;
  }

  /**
   * Marks a passed challenge confirmed when `code` is its return code. The code is compared
   * without whitespace and case, because customers may retype it. Every try counts against a
   * per-challenge limit before the code is compared, so the limit cannot be probed with a right
   * code.
   */
  async confirm(tenantId: string, id: string, code: string): Promise<Challenge> {
    await this.find(tenantId, id);

    const limitKey = `confirm:${tenantId}:${id}`;
    const hit = await this.options.store.hitRateLimit(limitKey, confirmRateLimit.tries, confirmRateLimit.windowSeconds, this.now());
    const log = this.options.logger.child({ tenant: tenantId, challenge_id: id });
    if (!hit.allowed) {
      log.warn('confirmation rejected: too many tries', { tries: hit.count });
      throw new AppError('rate_limited', `Too many confirmation tries for this challenge: at most ${confirmRateLimit.tries} in ${confirmRateLimit.windowSeconds / 60} minutes. Retry after ${hit.retryAfterSeconds} seconds.`, {
        retryAfterSeconds: hit.retryAfterSeconds,
      });
    }

    const windowSeconds = this.options.confirmWindowSeconds ?? 900;
    const normalised = code.replace(/\s+/g, '').toUpperCase();
    const result = await this.options.store.confirmReturnCode(tenantId, id, normalised, this.now(), windowSeconds * 1000);
    switch (result.outcome) {
      case 'confirmed':
        await this.options.store.resetRateLimit(limitKey);
        log.info('return code confirmed');
        return result.challenge;
      case 'mismatch':
        log.warn('return code mismatch', { tries: hit.count });
        throw new AppError('return_code_mismatch', `The code does not match the return code of this challenge. Check the code in the customer's message; ${confirmRateLimit.tries - hit.count} tries are left in this window.`);
      case 'already_confirmed':
        throw new AppError('already_confirmed', 'The challenge was already confirmed; a return code confirms once.');
      case 'not_passed':
        throw new AppError('challenge_not_passed', `The challenge is ${result.challenge.status}; only a passed challenge has a return code to confirm.`);
      case 'window_closed':
        throw new AppError('confirm_window_closed', `The confirmation window of this challenge closed ${windowSeconds} seconds after it passed. Start a new challenge.`);
      case 'not_found':
        throw new AppError('not_found', 'No challenge with this id exists for this API key.');
    }
  }

  async findByPageToken(pageToken: string): Promise<Challenge | null> {
    const challenge = await this.options.store.findChallengeByToken(sha256(pageToken));
    if (challenge && challenge.status === 'pending' && challenge.expiresAt <= this.now()) {
      // The expiry timer has not run yet; the page must not accept answers past expires_at.
      return { ...challenge, status: 'expired', completedAt: challenge.expiresAt };
    }
    return challenge;
  }

  /**
   * Normalises the customer's answers (keyed by question id) by each question's type, checks
   * them and records the attempt atomically. `dateOrder` is how the page asked for dates.
   * Answers that do not fit their type, and a verdict that could not be obtained from the
   * validation URL, use no attempt.
   *
   * Before checking, the submission is counted against the client's failure limit, and a right
   * answer clears the count. Counting first means that a locked client cannot get even a right
   * answer accepted, and that concurrent submissions cannot slip past the limit.
   */
  async submit(challenge: Challenge, answers: Record<string, string>, dateOrder: DateOrder): Promise<SubmissionResult> {
    const normalised: Record<string, string> = {};
    const unreadable: string[] = [];
    for (const question of challenge.questions) {
      const value = normaliseSubmittedAnswer(question, answers[question.id] ?? '', dateOrder);
      if (value === null) unreadable.push(question.id);
      else normalised[question.id] = value;
    }
    if (unreadable.length > 0) return { kind: 'unreadable', questionIds: unreadable };

    const log = this.options.logger.child({ tenant: challenge.tenantId, challenge_id: challenge.id });
    const failureKey = rateLimitKeys.clientFailures(challenge.tenantId, challenge.clientId);
    const { max, windowSeconds } = this.options.clientFailures;
    const hit = await this.options.store.hitRateLimit(failureKey, max, windowSeconds, this.now());
    if (!hit.allowed) {
      log.warn('answer rejected: too many wrong answers for this client', { max_failures: max, retry_after_s: hit.retryAfterSeconds });
      return { kind: 'client_locked', challenge, retryAfterSeconds: hit.retryAfterSeconds };
    }

    // NOTE: an answer that the validation URL could not check stays counted, because the store
    // can only count up or clear. A long outage can therefore lock a client until the window ends.
    const verdict = await this.check(challenge, answers, normalised);
    if (verdict === 'unavailable') return { kind: 'unavailable', challenge };

    const result = await this.options.store.recordAttempt(challenge.id, verdict === 'valid' ? 'right' : 'wrong', this.now());
    if (!result.recorded) {
      return result.challenge ? { kind: 'ended', challenge: result.challenge } : { kind: 'not_found' };
    }

    const updated = result.challenge;
    if (updated.status !== 'pending') this.options.onEventStored?.();
    if (updated.status === 'passed') {
      await this.options.store.resetRateLimit(failureKey);
      log.info('challenge passed', { attempts: updated.attempts });
      return { kind: 'passed', challenge: updated };
    }
    if (updated.status === 'failed') {
      log.info('challenge failed: attempts used up', { attempts: updated.attempts });
      return { kind: 'locked', challenge: updated };
    }
    log.info('wrong answer', { attempts: updated.attempts, max_attempts: updated.maxAttempts });
    return { kind: 'wrong', challenge: updated };
  }

  /** `answers` are the values as the customer typed them, `normalised` the same values normalised by type. */
  private async check(challenge: Challenge, answers: Record<string, string>, normalised: Record<string, string>): Promise<CallbackVerdict> {
    if (challenge.verifier.kind === 'hash') {
      let allRight = true;
      for (const question of challenge.questions) {
        const submitted = normalised[question.id] ?? '';
        const right = matchesAnswerHash(this.options.secret, challenge.id, question.id, submitted, question.answerHash ?? '');
        // Every question is checked, so the time taken does not reveal which one was wrong.
        allRight = right && allRight;
      }
      return allRight ? 'valid' : 'invalid';
    }

    const url = challenge.verifier.url;
    // A URL from the request is checked against the host allow-list again, in case the list
    // changed since creation. The operator's own default URL may use any host.
    const outbound = {
      allowHosts: url === this.options.defaultValidationUrl ? null : this.options.validationUrlHosts,
      allowPrivate: this.options.allowPrivateOutbound,
    };
    const verdicts = await Promise.all(
      challenge.questions.map((question) =>
        askValidationUrl(
          url,
          {
            challengeId: challenge.id,
            clientId: challenge.clientId,
            questionId: question.id,
            question: question.prompt,
            // Free text goes as typed, so the bot can apply its own rules; typed answers go in
            // their normal form (digits, ISO date, option id).
            answer: (question.type === 'text' ? answers[question.id] : normalised[question.id]) ?? '',
          },
          {
            timeoutMs: this.options.validationTimeoutMs,
            signingSecrets: this.options.signingSecrets,
            logger: this.options.logger,
            outbound,
          },
        ),
      ),
    );
    if (verdicts.includes('unavailable')) return 'unavailable';
    return verdicts.every((verdict) => verdict === 'valid') ? 'valid' : 'invalid';
  }

  private chooseWebhookUrl(input: CreateChallengeInput): string | null {
    if (input.webhook_url === undefined) return this.options.defaultWebhookUrl;

    const hosts = this.options.webhookUrlHosts ?? [];
    if (hosts.length === 0) {
      throw invalidField('webhook_url', 'is not accepted because the operator allows no per-challenge webhook URL (ASKGATE_WEBHOOK_URL_HOSTS is empty); omit it to use ASKGATE_WEBHOOK_URL');
    }
    let url: URL;
    try {
      url = new URL(input.webhook_url);
    } catch {
      throw invalidField('webhook_url', 'must be an absolute http:// or https:// URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalidField('webhook_url', 'must be an absolute http:// or https:// URL');
    }
    if (url.username !== '' || url.password !== '') {
      throw invalidField('webhook_url', 'must not contain a user name or password');
    }
    if (!hosts.includes(url.hostname.toLowerCase())) {
      throw invalidField('webhook_url', 'must point to a host the operator allows (ASKGATE_WEBHOOK_URL_HOSTS)');
    }
    return input.webhook_url;
  }

  private chooseVerifier(input: CreateChallengeInput, questions: QuestionInput[]): Verifier {
    const withAnswer = questions.filter((question) => question.answer !== undefined).length;
    if (withAnswer === questions.length) {
      if (input.validation_url !== undefined) {
        throw invalidField('validation_url', 'cannot be combined with expected answers; give either answers or a validation_url');
      }
      return { kind: 'hash' };
    }
    if (withAnswer > 0) {
      throw invalidField('questions', 'either every question has an answer or none has one (then a validation URL checks them)');
    }

    if (input.validation_url !== undefined) {
      const host = hostOf(input.validation_url);
      if (host === null || !this.options.validationUrlHosts.includes(host)) {
        throw invalidField('validation_url', 'must be an http(s) URL on a host the operator allows (ASKGATE_VALIDATION_URL_HOSTS)');
      }
      return { kind: 'callback', url: input.validation_url };
    }
    if (this.options.defaultValidationUrl !== null) {
      return { kind: 'callback', url: this.options.defaultValidationUrl };
    }
    throw invalidField('answer', 'is required: give the expected answer, a validation_url, or configure ASKGATE_VALIDATION_API_URL');
  }
}

function checkMetadata(metadata: Record<string, MetadataValue> | undefined): Record<string, MetadataValue> {
  if (metadata === undefined) return {};
  const entries = Object.entries(metadata);
  if (entries.length > limits.metadataKeys) {
    throw invalidField('metadata', `must have at most ${limits.metadataKeys} keys`);
  }
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_.-]+$/.test(key) || key.length > limits.metadataKeyLength) {
      throw invalidField('metadata', `keys must be 1 to ${limits.metadataKeyLength} characters from A-Z, a-z, 0-9, _, . and -`);
    }
    const valid =
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= limits.metadataValueLength);
    if (!valid) {
      // The key is not named: it came from the client, and errors never repeat client values.
      throw invalidField('metadata', `values must be strings of at most ${limits.metadataValueLength} characters, numbers, booleans or null`);
    }
  }
  return { ...metadata };
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.hostname.toLowerCase();
  } catch {
    return null;
  }
}
