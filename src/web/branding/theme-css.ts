import { contrastRatio, formatHexColor } from './contrast.ts';
import { darkPalette, lightPalette, minimumComponentContrast } from './palette.ts';
import { parseHexColor } from './contrast.ts';

/**
 * Builds a tenant's stylesheet, served from askgate so that the page keeps its policy without
 * inline styles. In light mode the accent replaces askgate's own. In dark mode it does too when
 * it stands out from the dark card by at least 3:1; otherwise the dark palette's accent stays,
 * because a dark brand colour on a dark card would hide the button's edge.
 * `accentColor` must already be a valid hex colour.
 */
export function buildThemeStylesheet(accentColor: string): string {
  const accent = parseHexColor(accentColor);
  if (accent === null) throw new Error('buildThemeStylesheet needs a hex colour');
  const hex = formatHexColor(accent);
  const light = `:root{--accent:${hex};--accent-text:${lightPalette.buttonText}}\n`;

  const darkCard = parseHexColor(darkPalette.card) as [number, number, number];
  if (contrastRatio(accent, darkCard) < minimumComponentContrast) return light;
  return light + `@media (prefers-color-scheme:dark){:root{--accent:${hex};--accent-text:${lightPalette.buttonText}}}\n`;
}
