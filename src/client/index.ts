/**
 * Helpers for bot backends that use askgate: a typed API client, webhook verification and
 * return code extraction. Import them as `askgate/client`.
 */
export { AskgateApiError, AskgateClient } from './api-client.ts';
export type {
  AskgateClientOptions,
  ChallengeCreated,
  ChallengeView,
  ConfirmResponse,
  CreateChallengeRequest,
  DeliveryStatus,
  EventView,
  ListEventsQuery,
  ProblemDocument,
} from './api-client.ts';
export { findReturnCode, findReturnCodes } from './return-code.ts';
export { verifyWebhook, WebhookVerificationError } from './verify-webhook.ts';
export type { AskgateEvent, VerifyWebhookOptions, WebhookHeaders, WebhookVerificationReason } from './verify-webhook.ts';
