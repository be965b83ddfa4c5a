import { AskgateApiError, findReturnCode, verifyWebhook, WebhookVerificationError, type AskgateClient, type AskgateEvent } from '../client/index.ts';
import type { Logger } from '../log/logger.ts';
import type { DemoQuestion } from './demo-questions.ts';

/** One bubble of the fake chat. */
export interface ChatMessage {
  /** Increases by one per message; the chat page polls for ids above the last it shows. */
  id: number;
  from: 'bot' | 'customer';
  text: string;
  /** Styles the bubble: a demo hint, a success or a failure. */
  tone?: 'hint' | 'success' | 'error';
  /** A smaller line under the text. */
  note?: string;
  link?: { url: string; label: string };
  /** Preformatted blocks under the text, such as a webhook payload. */
  blocks?: { caption: string; content: string }[];
}

/** Status the webhook endpoint returns to askgate, with the reason of a rejection. */
export type WebhookOutcome = { status: 204 } | { status: 400; reason: string };

export interface DemoConversationOptions {
  /** askgate's API, reached with the demo's generated key. */
  client: AskgateClient;
  /** The bot's return address, given to askgate as the url return target. */
  returnUrl: string;
  /** The whsec_ secret askgate signs events with. */
  webhookSecret: string;
  logger: Logger;
}

/** The customer id the demo bot uses for its one customer. */
const demoClientId = 'demo-customer';

/** Maximum length of the code text read from the return URL; askgate's codes have seven characters. */
const maxReturnCodeLength = 64;

/**
 * The demo bot's side of one chat, kept in memory: it creates challenges through the API, turns
 * askgate's signed events into chat messages, and confirms the return code that the customer
 * brings back. Messages are only appended, so the page can poll for the ones it lacks.
 */
export class DemoConversation {
  private readonly messages: ChatMessage[] = [];
  private challengeId: string | null = null;
  private started: Promise<void> | null = null;
  private readonly handledEventIds = new Set<string>();
  private readonly handledReturnCodes = new Set<string>();

  constructor(private readonly options: DemoConversationOptions) {}

  /** Returns the messages whose id is above `afterId`, oldest first. */
  messagesAfter(afterId: number): ChatMessage[] {
    return this.messages.filter((message) => message.id > afterId);
  }

  /** Starts the chat with `question` unless it has started; concurrent calls share one start. */
  startOnce(question: DemoQuestion): Promise<void> {
    this.started ??= this.askToVerify(question, 'Hi! I am the askgate demo bot. Before I show your account, please confirm it is you.');
    return this.started;
  }

  /** Starts over with `question`; askgate cancels the earlier challenge of the same customer. */
  async restart(question: DemoQuestion): Promise<void> {
    this.started = this.askToVerify(question, 'Starting over with a new verification link.');
    await this.started;
  }

  /**
   * Checks an event request from askgate with `verifyWebhook` and posts the outcome in the
   * chat. A repeated `webhook-id` (a retry of an event already handled) is acknowledged without
   * a second message.
   */
  receiveWebhook(headers: Headers, body: string): WebhookOutcome {
    let event: AskgateEvent;
    try {
      event = verifyWebhook(headers, body, this.options.webhookSecret);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      this.options.logger.warn('webhook rejected', { reason: error.reason });
      return { status: 400, reason: error.reason };
    }

    const eventId = headers.get('webhook-id') as string;
    if (this.handledEventIds.has(eventId)) return { status: 204 };
    this.handledEventIds.add(eventId);

    const timestamp = headers.get('webhook-timestamp') as string;
    const signedAt = new Date(Number(timestamp) * 1000).toISOString();
    const blocks = [
      { caption: 'Verified headers', content: `webhook-id: ${eventId}\nwebhook-timestamp: ${timestamp} (${signedAt})` },
      { caption: `Webhook payload (${event.type})`, content: JSON.stringify(event, null, 2) },
    ];
    if (event.data.id !== this.challengeId) {
      this.post({ from: 'bot', text: `askgate sent ${event.type} for an earlier challenge, ${event.data.id}. A new challenge for the same customer cancels the pending one.`, blocks });
      return { status: 204 };
    }

    const signature = 'askgate sent a signed webhook and verifyWebhook accepted its signature.';
    switch (event.type) {
      case 'challenge.passed':
        this.post({ from: 'bot', tone: 'success', text: `Verified! ${signature} Your account is unlocked.`, blocks });
        break;
      case 'challenge.failed':
        this.post({ from: 'bot', tone: 'error', text: `Verification failed: too many wrong answers, so askgate locked the link. ${signature} Use "Start over" to try again.`, blocks });
        break;
      case 'challenge.expired':
        this.post({ from: 'bot', tone: 'error', text: `The link expired before an answer arrived. ${signature} Use "Start over" for a new link.`, blocks });
        break;
      default:
        this.post({ from: 'bot', text: `askgate reported ${event.type}. ${signature}`, blocks });
    }
    return { status: 204 };
  }

  /**
   * Handles the customer's return through the url target. In WhatsApp the return link prefills a
   * message with the return code. Here askgate added the code to the return URL as
   * `askgate_code`, so the bot writes that message for the customer. It then reads the code from
   * the message as it would from a real chat message. Each code is handled once, so a reload
   * adds nothing.
   */
  async receiveReturn(codeParameter: string): Promise<void> {
    const codeText = codeParameter.slice(0, maxReturnCodeLength);
    const challengeId = this.challengeId;
    if (codeText === '' || challengeId === null || this.handledReturnCodes.has(codeText)) return;
    this.handledReturnCodes.add(codeText);

    const messageText = `Back from verification ${codeText}`;
    this.post({
      from: 'customer',
      text: messageText,
      note: 'WhatsApp would prefill this message from the return link. Here the return URL carried the code as askgate_code.',
    });

    const code = findReturnCode(messageText);
    if (code === null) {
      this.post({ from: 'bot', tone: 'error', text: 'I found no return code in your message.' });
      return;
    }
    const request = `POST /v1/challenges/${challengeId}/confirm {"code": "${code}"}`;
    try {
      const result = await this.options.client.confirm(challengeId, code);
      this.post({
        from: 'bot',
        tone: 'success',
        text: `Your message carries the return code ${code}, and askgate confirmed it belongs to this verification.`,
        blocks: [{ caption: `${request} returned 200`, content: JSON.stringify(result, null, 2) }],
      });
    } catch (error) {
      if (!(error instanceof AskgateApiError)) throw error;
      this.post({
        from: 'bot',
        tone: 'error',
        text: `askgate did not confirm the return code ${code}: ${error.code ?? 'no problem document'}.`,
        blocks: [{ caption: `${request} returned ${error.status}`, content: JSON.stringify(error.problem, null, 2) }],
      });
    }
  }

  private async askToVerify(question: DemoQuestion, greeting: string): Promise<void> {
    this.post({ from: 'bot', text: greeting });
    // Cleared first: the event that cancels the earlier challenge may arrive before the reply.
    this.challengeId = null;
    try {
      const created = await this.options.client.createChallenge({
        client_id: demoClientId,
        questions: [question.question],
        return: { channel: 'url', url: this.options.returnUrl },
        expires_in: 900,
        max_attempts: 3,
        locale: 'en',
        metadata: { source: 'askgate demo' },
      });
      this.challengeId = created.id;
      this.post({
        from: 'bot',
        text: 'Tap the link and answer one question on askgate\'s page. Your answer goes to askgate, never through this chat.',
        link: { url: created.url, label: 'Verify on askgate' },
        note: `Challenge ${created.id}, valid until ${created.expires_at}.`,
      });
      this.post({
        from: 'bot',
        tone: 'hint',
        text: `Demo hint: ${question.hint} Try a wrong answer first to see an attempt used: you have 3.`,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.error('demo challenge creation failed', { error: reason });
      this.post({ from: 'bot', tone: 'error', text: `I could not create a challenge: ${reason}` });
    }
  }

  private post(message: Omit<ChatMessage, 'id'>): void {
    const lastId = this.messages.at(-1)?.id ?? 0;
    this.messages.push({ ...message, id: lastId + 1 });
  }
}
