import type { Server } from 'bun';
import type { AskgateClient } from '../client/index.ts';
import type { Logger } from '../log/logger.ts';
import chatCss from './chat.css' with { type: 'text' };
import { chatScript } from './chat-script.ts';
import { ChatPage, MessageItems } from './chat-page.tsx';
import { DemoConversation } from './conversation.ts';
import { defaultDemoQuestion, demoQuestions, findDemoQuestion } from './demo-questions.ts';

/** The fake chat loads its own script and stylesheet and calls only its own origin. */
const chatContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Largest request body the bot reads; askgate's events are a few kilobytes. */
const maxRequestBodyBytes = 64 * 1024;

export interface DemoBotOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The whsec_ secret askgate signs events with. */
  webhookSecret: string;
  logger: Logger;
}

export interface DemoBot {
  /** The fake chat, for example http://127.0.0.1:41234/. */
  chatUrl: string;
  /** URL that receives askgate's signed events. */
  webhookUrl: string;
  /** Return URL of the url return target; askgate's success page adds askgate_code to it. */
  returnUrl: string;
  /** Hands the bot its API client once askgate listens; until then every page replies 503. */
  connect: (client: AskgateClient) => void;
  stop: () => Promise<void>;
}

/**
 * Starts the demo chat bot on 127.0.0.1: the fake chat page, the endpoint that receives
 * askgate's signed events, and the return URL. It keeps one conversation in memory.
 */
export function startDemoBot(options: DemoBotOptions): DemoBot {
  let conversation: DemoConversation | null = null;

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: options.port,
    maxRequestBodySize: maxRequestBodyBytes,
    development: false,
    fetch: async (request) => {
      if (conversation === null) return new Response('Starting', { status: 503, headers: { 'retry-after': '1' } });
      const response = await route(request, conversation);
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('cache-control', 'no-store');
      response.headers.set('referrer-policy', 'no-referrer');
      return response;
    },
    error: (error) => {
      options.logger.error('demo bot request failed', { error: `${error.name}: ${error.message}` });
      return new Response('Internal error', { status: 500 });
    },
  });

  const origin = `http://127.0.0.1:${server.port}`;
  const returnUrl = `${origin}/return`;
  return {
    chatUrl: `${origin}/`,
    webhookUrl: `${origin}/webhook`,
    returnUrl,
    connect: (client) => {
      conversation = new DemoConversation({ client, returnUrl, webhookSecret: options.webhookSecret, logger: options.logger });
    },
    stop: () => server.stop(true),
  };
}

async function route(request: Request, conversation: DemoConversation): Promise<Response> {
  const url = new URL(request.url);
  const key = `${request.method} ${url.pathname}`;
  switch (key) {
    case 'GET /': {
      await conversation.startOnce(defaultDemoQuestion);
      return html(ChatPage({ messages: conversation.messagesAfter(0), questions: demoQuestions }) as string);
    }
    case 'GET /messages': {
      const afterId = Number(url.searchParams.get('after') ?? '0');
      const messages = conversation.messagesAfter(Number.isSafeInteger(afterId) ? afterId : 0);
      return html(MessageItems({ messages }) as string);
    }
    case 'GET /chat.js':
      return new Response(chatScript, { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    case 'GET /chat.css':
      return new Response(chatCss, { headers: { 'content-type': 'text/css; charset=utf-8' } });
    case 'POST /restart': {
      if (!isSameOrigin(request)) return new Response('Cross-site request rejected', { status: 403 });
      const form = await request.formData();
      const questionKey = form.get('question');
      await conversation.restart(findDemoQuestion(typeof questionKey === 'string' ? questionKey : null));
      return redirectToChat();
    }
    case 'POST /webhook': {
      const outcome = conversation.receiveWebhook(request.headers, await request.text());
      if (outcome.status === 400) return new Response(`Webhook rejected: ${outcome.reason}`, { status: 400 });
      return new Response(null, { status: 204 });
    }
    case 'GET /return': {
      // The customer arrives here from askgate's success page, so this GET records a message.
      await conversation.receiveReturn(url.searchParams.get('askgate_code') ?? '');
      return redirectToChat();
    }
    default:
      return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}

function html(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': chatContentSecurityPolicy } });
}

function redirectToChat(): Response {
  return new Response(null, { status: 303, headers: { location: '/' } });
}

/** Browsers send Sec-Fetch-Site; a form posted from another site is rejected. */
function isSameOrigin(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}
