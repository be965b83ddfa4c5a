/** @jsxRuntime classic */
/** @jsx Html.createElement */
/** @jsxFrag Html.Fragment */
import { Html } from '@elysiajs/html';
import type { ChatMessage } from './conversation.ts';
import type { DemoQuestion } from './demo-questions.ts';

export interface ChatPageProps {
  messages: readonly ChatMessage[];
  questions: readonly DemoQuestion[];
}

/**
 * Renders the fake chat of `askgate demo`. It imitates a chat app rather than askgate's customer
 * page, so it is English only. /chat.js polls for new messages, and without JavaScript the page
 * reloads itself every three seconds.
 */
export function ChatPage(props: ChatPageProps): JSX.Element {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <noscript>
            <meta http-equiv="refresh" content="3" />
          </noscript>
          <title>askgate demo chat</title>
          <link rel="stylesheet" href="/chat.css" />
          <script src="/chat.js" defer></script>
        </head>
        <body>
          <main class="chat">
            <header class="chat-header">
              <h1>askgate demo bot</h1>
              <p>
                A fake chat on your machine. The bot and askgate run in one process on 127.0.0.1 with throwaway
                secrets; nothing leaves this computer.
              </p>
            </header>
            <ol id="messages" class="messages" role="log" aria-live="polite">
              {(<MessageItems messages={props.messages} />) as 'safe'}
            </ol>
            <p id="connection" class="connection" role="status"></p>
            <form class="restart" method="post" action="/restart">
              <fieldset>
                <legend>Start over with another question</legend>
                {props.questions.map((question, index) => (
                  <label class="choice">
                    <input type="radio" name="question" value={question.key} checked={index === 0} />
                    <span safe>{question.label}</span>
                  </label>
                ))}
              </fieldset>
              <button type="submit">Start over</button>
            </form>
          </main>
        </body>
      </html>
    </>
  );
}

/** Renders `messages` as list items, for the page and for GET /messages, whose reply the page appends. */
export function MessageItems(props: { messages: readonly ChatMessage[] }): JSX.Element {
  return (
    <>
      {props.messages.map((message) => (
        <li class={`message from-${message.from}${message.tone ? ` tone-${message.tone}` : ''}`} data-id={String(message.id)}>
          <span class="sender">{message.from === 'bot' ? 'Bot' : 'You'}</span>
          <p safe>{message.text}</p>
          {message.link ? (
            <p>
              <a class="verify-link" href={message.link.url} safe>
                {message.link.label}
              </a>
            </p>
          ) : (
            ''
          )}
          {message.note ? (
            <p class="note" safe>
              {message.note}
            </p>
          ) : (
            ''
          )}
          {(message.blocks ?? []).map((block) => (
            <figure class="block">
              <figcaption safe>{block.caption}</figcaption>
              <pre safe>{block.content}</pre>
            </figure>
          ))}
        </li>
      ))}
    </>
  );
}
