/** One option of a `choice` question: the id is what the form sends and what is hashed. */
export interface ChoiceOption {
  id: string;
  label: string;
}

export const minChoices = 2;
export const maxChoices = 8;

/** Returns the option id the customer picked, or null when it is not one of `options`. */
export function normaliseChoice(answer: string, options: readonly ChoiceOption[]): string | null {
  const id = answer.trim();
  return options.some((option) => option.id === id) ? id : null;
}

/**
 * Returns the options in a uniformly random order (Fisher–Yates with a cryptographic source).
 * The order is fixed when the challenge is created, so a reload shows the same order, while the
 * bot's own order cannot hint at the right option.
 */
export function shuffleChoices(options: readonly ChoiceOption[]): ChoiceOption[] {
  const shuffled = options.map((option) => ({ id: option.id, label: option.label }));
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = randomBelow(index + 1);
    [shuffled[index], shuffled[other]] = [shuffled[other] as ChoiceOption, shuffled[index] as ChoiceOption];
  }
  return shuffled;
}

/** Returns a uniform random integer in [0, bound), by rejection sampling over 32-bit values. */
export function randomBelow(bound: number): number {
  const limit = 2 ** 32 - (2 ** 32 % bound);
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    const value = buffer[0] as number;
    if (value < limit) return value % bound;
  }
}
