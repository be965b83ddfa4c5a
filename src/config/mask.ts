/** Replacement shown in place of a secret. */
export const maskedValue = '********';

/**
 * Replaces the password of every `scheme://user:password@` URL in `text` with asterisks, so that
 * a store URL can appear in messages and logs. Text without such a URL is returned unchanged.
 * A user part with square brackets is left alone, because a real URL cannot have one and help
 * texts write optional parts as `redis://[:password@]host`.
 */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/@:"'[\]]*:)[^\s/"']+@/gi, `$1${maskedValue}@`);
}
