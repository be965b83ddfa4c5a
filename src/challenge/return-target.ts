import { invalidField } from '../errors/app-error.ts';
import type { ReturnTarget } from './challenge.ts';
import type { ReturnInput } from './create-input.ts';
import { limits } from './create-input.ts';
import { phoneToDigits } from './phone.ts';

export const telegramBotPattern = /^[A-Za-z][A-Za-z0-9_]{4,31}$/;
export const telegramPayloadPattern = /^[A-Za-z0-9_-]{1,64}$/;
export const messengerPagePattern = /^[A-Za-z0-9.]{1,100}$/;
export const messengerRefMaxLength = 2083;

/** Host names, as `URL.hostname` writes them, that only reach the machine the browser runs on. */
export const loopbackHosts: readonly string[] = ['127.0.0.1', '[::1]', 'localhost'];

export interface ReturnUrlOptions {
  /**
   * Also accept http:// URLs whose host is one of `loopbackHosts` and on the allow-list
   * (ASKGATE_RETURN_URL_ALLOW_LOOPBACK_HTTP, default false). Such a URL only works when the
   * customer's browser runs on the askgate host, as in `askgate demo`.
   */
  allowLoopbackHttp?: boolean;
}

/**
 * Checks a `return` object against its channel's rules and converts it to a ReturnTarget.
 * Every limit is enforced here, at creation, so that the customer never reaches a success page
 * with a link that cannot work. `defaultWhatsappDigits` is used when `input` is missing.
 */
export function parseReturnTarget(
  input: ReturnInput | undefined,
  defaultWhatsappDigits: string | null,
  allowedUrlHosts: readonly string[],
  urlOptions: ReturnUrlOptions = {},
): ReturnTarget {
  if (input === undefined) {
    if (defaultWhatsappDigits === null) {
      throw invalidField('return', 'is required because no default WhatsApp number is configured (ASKGATE_WHATSAPP_NUMBER)');
    }
    return { channel: 'whatsapp', digits: defaultWhatsappDigits, text: null };
  }

  switch (input.channel) {
    case 'whatsapp':
      return parseWhatsapp(input, defaultWhatsappDigits);
    case 'telegram':
      return parseTelegram(input);
    case 'messenger':
      return parseMessenger(input);
    case 'url':
      return parseUrl(input, allowedUrlHosts, urlOptions.allowLoopbackHttp ?? false);
  }
}

function parseWhatsapp(input: ReturnInput, defaultDigits: string | null): ReturnTarget {
  rejectFields(input, ['bot', 'payload', 'page', 'ref', 'url']);
  let digits = defaultDigits;
  if (input.phone !== undefined) {
    digits = phoneToDigits(input.phone);
    if (digits === null) throw invalidField('return.phone', 'must be an E.164 number such as +5491122334455');
  }
  if (digits === null) throw invalidField('return.phone', 'is required for the whatsapp channel');
  if (input.text !== undefined && input.text.length > limits.returnTextLength) {
    throw invalidField('return.text', `must be at most ${limits.returnTextLength} characters`);
  }
  return { channel: 'whatsapp', digits, text: input.text ?? null };
}

function parseTelegram(input: ReturnInput): ReturnTarget {
  rejectFields(input, ['phone', 'text', 'page', 'ref', 'url']);
  if (input.bot === undefined) throw invalidField('return.bot', 'is required for the telegram channel');
  const bot = input.bot.replace(/^@/, '');
  if (!telegramBotPattern.test(bot)) {
    throw invalidField('return.bot', 'must be a Telegram bot username: 5 to 32 letters, digits or underscores, starting with a letter');
  }
  if (input.payload !== undefined && !telegramPayloadPattern.test(input.payload)) {
    throw invalidField('return.payload', 'must be 1 to 64 characters from A-Z, a-z, 0-9, _ and -');
  }
  return { channel: 'telegram', bot, payload: input.payload ?? null };
}

function parseMessenger(input: ReturnInput): ReturnTarget {
  rejectFields(input, ['phone', 'text', 'bot', 'payload', 'url']);
  if (input.page === undefined) throw invalidField('return.page', 'is required for the messenger channel');
  if (!messengerPagePattern.test(input.page)) {
    throw invalidField('return.page', 'must be a page username or id: letters, digits and dots, at most 100 characters');
  }
  if (input.ref !== undefined && (input.ref.length === 0 || input.ref.length > messengerRefMaxLength)) {
    throw invalidField('return.ref', `must be 1 to ${messengerRefMaxLength} characters`);
  }
  return { channel: 'messenger', page: input.page, ref: input.ref ?? null };
}

function parseUrl(input: ReturnInput, allowedHosts: readonly string[], allowLoopbackHttp: boolean): ReturnTarget {
  rejectFields(input, ['phone', 'text', 'bot', 'payload', 'page', 'ref']);
  if (input.url === undefined) throw invalidField('return.url', 'is required for the url channel');
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw invalidField('return.url', 'must be an absolute https URL');
  }
  const host = url.hostname.toLowerCase();
  const loopbackHttp = allowLoopbackHttp && url.protocol === 'http:' && loopbackHosts.includes(host);
  if ((url.protocol !== 'https:' && !loopbackHttp) || url.username || url.password) {
    const schemes = allowLoopbackHttp ? 'an https URL, or http on 127.0.0.1, [::1] or localhost,' : 'an https URL';
    throw invalidField('return.url', `must be ${schemes} without credentials`);
  }
  if (!allowedHosts.includes(host)) {
    throw invalidField('return.url', 'must point to a host on the operator allow-list (ASKGATE_RETURN_URL_HOSTS)');
  }
  return { channel: 'url', url: url.toString() };
}

function rejectFields(input: ReturnInput, fields: (keyof ReturnInput)[]): void {
  for (const field of fields) {
    if (input[field] !== undefined) {
      throw invalidField(`return.${field}`, `is not used by the ${input.channel} channel; remove it`);
    }
  }
}
