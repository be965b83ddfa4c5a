/** Replacement shown in place of a secret. */
export const maskedValue = '********';

/**
 * Replaces the password of every `scheme://user:password@` URL in `text` with asterisks, so that
 * a store URL can appear in messages and logs. Text without such a URL is returned unchanged.
 */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/@:"']*:)[^\s/"']+@/gi, `$1${maskedValue}@`);
}
