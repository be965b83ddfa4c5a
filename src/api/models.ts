import { Type } from '@sinclair/typebox';
import { t } from 'elysia';
import { maxChoices, minChoices } from '../challenge/answer-types/choice.ts';
import { e164Pattern } from '../challenge/phone.ts';
import { limits } from '../challenge/create-input.ts';

/**
 * TypeBox schemas of the API. Integers use TypeBox's own `Integer`, because Elysia's `t.Integer`
 * also accepts numeric strings and reports range errors as "Expected union value".
 */

const metadataValue = t.Union([t.String({ maxLength: limits.metadataValueLength }), t.Number(), t.Boolean(), t.Null()]);

export const questionInput = t.Object(
  {
    id: t.String({ pattern: `^[A-Za-z0-9_-]{1,${limits.questionIdLength}}$`, description: 'Question id, unique within the challenge.', examples: ['dob'] }),
    prompt: t.String({ minLength: 1, maxLength: limits.promptLength, description: 'The question shown to the customer. Rendered as text, never as HTML.', examples: ['What is your date of birth?'] }),
    type: t.Optional(
      t.Union([t.Literal('text'), t.Literal('number'), t.Literal('pin'), t.Literal('date'), t.Literal('choice')], {
        description:
          'Answer type, default text. text: free text, compared ignoring case, accents and extra spaces. number: digits (spaces, dots, commas and hyphens ignored, leading zeros kept). pin: 4 to 12 digits, typed masked. date: the customer types it in their local order (shown on the page) or as yyyy-mm-dd. choice: one of `choices`, shown as radio buttons in a random order.',
        default: 'text',
      }),
    ),
    answer: t.Optional(t.String({ minLength: 1, maxLength: limits.answerLength, description: 'Expected answer, kept only as a keyed hash of its normalised form: for date an ISO yyyy-mm-dd date, for choice the id of the right option. Omit it on every question to check answers through a validation URL.', examples: ['1990-04-12'] })),
    choices: t.Optional(
      t.Array(
        t.Object(
          {
            id: t.String({ pattern: `^[A-Za-z0-9_-]{1,${limits.choiceIdLength}}$`, description: 'Option id, sent back as the answer.' }),
            label: t.String({ minLength: 1, maxLength: limits.choiceLabelLength, description: 'Text shown next to the radio button, rendered as text.' }),
          },
          { additionalProperties: false },
        ),
        { minItems: minChoices, maxItems: maxChoices, description: `choice only: ${minChoices} to ${maxChoices} options.` },
      ),
    ),
  },
  { additionalProperties: false },
);

export const returnInput = t.Object(
  {
    channel: t.Union([t.Literal('whatsapp'), t.Literal('telegram'), t.Literal('messenger'), t.Literal('url')], {
      description: 'Where the customer returns after answering. whatsapp uses phone and text; telegram uses bot and payload; messenger uses page and ref; url uses url.',
    }),
    phone: t.Optional(t.String({ pattern: e164Pattern, description: 'whatsapp: the bot\'s number in E.164 form.', examples: ['+5491122334455'] })),
    text: t.Optional(t.String({ minLength: 1, maxLength: limits.returnTextLength, description: 'whatsapp: prefilled return message; {code} is replaced by the return code (appended when absent). Default: a neutral localised message.', examples: ['Back from verification {code}'] })),
    bot: t.Optional(t.String({ maxLength: 33, description: 'telegram: bot username, 5 to 32 characters.', examples: ['acme_help_bot'] })),
    payload: t.Optional(t.String({ maxLength: 64, description: 'telegram: start payload, [A-Za-z0-9_-]{1,64}; default: the return code.' })),
    page: t.Optional(t.String({ maxLength: 100, description: 'messenger: page username or id.' })),
    ref: t.Optional(t.String({ maxLength: 2083, description: 'messenger: ref parameter, at most 2,083 characters; default: the return code.' })),
    url: t.Optional(t.String({ maxLength: 2048, description: 'url: an https URL whose host is on the operator allow-list (http on a loopback host too when ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP is true); the return code is added as askgate_code.' })),
  },
  { additionalProperties: false, description: 'Return target. May be omitted when ASKGATE_WHATSAPP_NUMBER is set.' },
);

export const createChallengeBody = t.Object(
  {
    client_id: t.String({ minLength: 1, maxLength: limits.clientIdLength, description: 'The bot\'s id for the customer.', examples: ['cust-8841'] }),
    question: t.Optional(t.String({ minLength: 1, maxLength: limits.promptLength, description: 'One-question form: the question shown to the customer.', examples: ['What is your date of birth?'] })),
    answer: t.Optional(t.String({ minLength: 1, maxLength: limits.answerLength, description: 'One-question form: the expected answer. Without it, a validation URL checks the answer.', examples: ['1990-04-12'] })),
    questions: t.Optional(t.Array(questionInput, { minItems: 1, maxItems: limits.questionCount, description: 'General form: up to 10 questions, all shown on one form. Do not combine with question/answer.' })),
    ask: t.Optional(Type.Integer({ minimum: 1, maximum: limits.questionCount, description: 'Show only this many of `questions`, picked at random when the challenge is created (1 to the number of questions). Default: all.', examples: [2] })),
    validation_url: t.Optional(t.String({ maxLength: 2048, description: 'URL that checks answers for this challenge; its host must be on ASKGATE_VALIDATION_URL_HOSTS. Default: ASKGATE_VALIDATION_API_URL.' })),
    return: t.Optional(returnInput),
    expires_in: t.Optional(Type.Integer({ minimum: limits.minExpiresInSeconds, maximum: limits.maxExpiresInSeconds, description: 'Lifetime in seconds (10 to 86400). Default: ASKGATE_EXPIRATION.', examples: [300] })),
    max_attempts: t.Optional(Type.Integer({ minimum: 1, maximum: limits.maxAttempts, description: 'Wrong answers allowed before the challenge fails (1 to 10, default 3).', examples: [3] })),
    locale: t.Optional(t.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35, description: 'Page language as a BCP 47 tag: en, es, pt (Brazil), fr, id or ar, with an optional region (pt-BR, en-US; en-US also picks the month/day/year date order). Default: the browser\'s Accept-Language, then ASKGATE_DEFAULT_LOCALE.', examples: ['es'] })),
    metadata: t.Optional(t.Record(t.String(), metadataValue, { description: 'Up to 20 keys of your own, returned in GET and events. Values: strings up to 500 characters, numbers, booleans or null.', examples: [{ conversation: 'abc' }] })),
    webhook_url: t.Optional(t.String({ minLength: 1, maxLength: limits.webhookUrlLength, description: 'http(s) URL that receives this challenge\'s event instead of ASKGATE_WEBHOOK_URL. Accepted only when its host is on ASKGATE_WEBHOOK_URL_HOSTS (default: none, so the field is rejected with 400).', examples: ['https://bot.example.com/askgate/events'] })),
  },
  { additionalProperties: false },
);

export const challengeCreated = t.Object({
  id: t.String({ description: 'Challenge id (chl_…). Use it with the API; it does not open the page.', examples: ['chl_Q2hhbGxlbmdlSWRFeGFtcGxl'] }),
  url: t.String({ description: 'One-time page link to send to the customer. Returned only here.' }),
  status: t.Literal('pending'),
  expires_at: t.String({ format: 'date-time' }),
  client_id: t.String(),
});

export const challengeView = t.Object({
  id: t.String(),
  client_id: t.String(),
  status: t.Union([t.Literal('pending'), t.Literal('passed'), t.Literal('failed'), t.Literal('expired'), t.Literal('canceled')], {
    description: 'pending, then exactly one of passed, failed (attempts used up), expired or canceled.',
  }),
  attempts: t.Integer({ description: 'Answers checked so far.' }),
  max_attempts: t.Integer(),
  created_at: t.String({ format: 'date-time' }),
  expires_at: t.String({ format: 'date-time' }),
  completed_at: t.Optional(t.String({ format: 'date-time', description: 'When the challenge reached its final state.' })),
  return_code: t.Optional(t.String({ description: 'Present when passed: the code in the customer\'s return message.' })),
  confirmed_at: t.Optional(t.String({ format: 'date-time', description: 'When the bot confirmed the return code through POST /v1/challenges/{id}/confirm.' })),
  metadata: t.Record(t.String(), metadataValue),
});

export const confirmBody = t.Object(
  {
    code: t.String({ minLength: 1, maxLength: limits.returnCodeInputLength, description: 'The return code found in the customer\'s chat message. Compared without case and whitespace.', examples: ['K7P2QXA'] }),
  },
  { additionalProperties: false },
);

export const confirmResult = t.Object({
  confirmed: t.Literal(true),
  challenge: challengeView,
});

export const problemModel = t.Object(
  {
    type: t.String(),
    title: t.String(),
    status: t.Integer(),
    code: t.String({ description: 'Stable error code, for example validation_failed, unauthorized, not_found, challenge_not_pending.' }),
    detail: t.String({ description: 'What was wrong and what to do. Never repeats submitted values.' }),
    request_id: t.String(),
    errors: t.Optional(t.Array(t.Object({ field: t.String(), message: t.String() }))),
  },
  { description: 'RFC 9457 problem document (application/problem+json).' },
);

export const idempotencyHeaders = t.Object({
  'idempotency-key': t.Optional(t.String({ description: 'Optional key (1 to 255 visible ASCII characters). A retry with the same key and body returns the first reply instead of creating a second challenge.' })),
});

export const challengeIdParams = t.Object({
  id: t.String({ maxLength: 64, description: 'Challenge id (chl_…).' }),
});
