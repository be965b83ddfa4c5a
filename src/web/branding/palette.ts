/**
 * Colours of page.css that a tenant's accent colour is checked against. page.css must use the
 * same values; a test compares them.
 */
export const lightPalette = {
  /** Background of the card that contains the form. */
  card: '#ffffff',
  /** Text on buttons, drawn on the accent colour. */
  buttonText: '#ffffff',
} as const;

export const darkPalette = {
  card: '#1c1f24',
  /** askgate's own dark-mode accent, kept when a tenant's accent is too dim on the dark card. */
  accent: '#3ddc97',
  buttonText: '#0b1a12',
} as const;

/** WCAG 2.2 minimums: 4.5:1 for normal text (1.4.3), 3:1 for user interface components (1.4.11). */
export const minimumTextContrast = 4.5;
export const minimumComponentContrast = 3;
