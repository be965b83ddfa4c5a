import type { ReturnTarget } from '../challenge/challenge.ts';

/**
 * Builds the deep link that sends the customer back to the chat. These are the only redirect
 * targets askgate produces: wa.me, t.me, m.me and operator-allow-listed https URLs, which are
 * checked when the challenge is created.
 *
 * `message` is the prefilled WhatsApp text with the return code already in it.
 */
export function buildDeepLink(target: ReturnTarget, message: string, returnCode: string): string {
  switch (target.channel) {
    case 'whatsapp':
      return `https://wa.me/${target.digits}?text=${encodeURIComponent(message)}`;
    case 'telegram':
      return `https://t.me/${target.bot}?start=${encodeURIComponent(target.payload ?? returnCode)}`;
    case 'messenger':
      return `https://m.me/${target.page}?ref=${encodeURIComponent(target.ref ?? returnCode)}`;
    case 'url': {
      const url = new URL(target.url);
      url.searchParams.set('askgate_code', returnCode);
      return url.toString();
    }
  }
}

/**
 * Fills the bot's message template with the return code. A template without `{code}` gets the
 * code appended, because the bot needs it to tie the chat message to the challenge.
 */
export function fillReturnMessage(template: string, returnCode: string): string {
  if (template.includes('{code}')) return template.replaceAll('{code}', returnCode);
  return `${template} ${returnCode}`;
}
