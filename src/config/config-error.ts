/**
 * A configuration mistake found at start-up. The CLI prints `message` and exits with code 2.
 * Messages name the variable, the rejected value (unless it is a secret) and the fix.
 */
export class ConfigError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
