import { contrastRatio, formatHexColor, parseHexColor } from './contrast.ts';
import { darkPalette, lightPalette, minimumComponentContrast } from './palette.ts';

/**
 * Builds a tenant's stylesheet, served from askgate so that the page keeps its policy without
 * inline styles. It loads after page.css, so its unconditional rule replaces the accent in both
 * modes, and its dark-mode rule then sets the dark accent: the tenant's when it stands out from
 * the dark card by at least 3:1, else askgate's own, because a dark brand colour on a dark card
 * would hide the button's edge. `accentColor` must already be a valid hex colour.
 */
export function buildThemeStylesheet(accentColor: string): string {
  const accent = parseHexColor(accentColor);
  if (accent === null) throw new Error('buildThemeStylesheet needs a hex colour');
  const hex = formatHexColor(accent);
  const light = `:root{--accent:${hex};--accent-text:${lightPalette.buttonText}}\n`;

  const darkCard = parseHexColor(darkPalette.card) as [number, number, number];
  const darkAccent =
    contrastRatio(accent, darkCard) >= minimumComponentContrast
      ? `--accent:${hex};--accent-text:${lightPalette.buttonText}`
      : `--accent:${darkPalette.accent};--accent-text:${darkPalette.buttonText}`;
  return light + `@media (prefers-color-scheme:dark){:root{${darkAccent}}}\n`;
}
