/** Parses `#rgb` or `#rrggbb` (any case) into 0–255 channels; null for anything else. */
export function parseHexColor(text: string): [number, number, number] | null {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short !== null) return [1, 2, 3].map((index) => parseInt(`${short[index]}${short[index]}`, 16)) as [number, number, number];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (long !== null) return [1, 2, 3].map((index) => parseInt(long[index] as string, 16)) as [number, number, number];
  return null;
}

/** Writes channels as lower-case `#rrggbb`. */
export function formatHexColor(channels: readonly [number, number, number]): string {
  return '#' + channels.map((channel) => channel.toString(16).padStart(2, '0')).join('');
}

/** Relative luminance as WCAG 2.2 defines it for sRGB colours, from 0 (black) to 1 (white). */
export function relativeLuminance(channels: readonly [number, number, number]): number {
  const [red, green, blue] = channels.map((channel) => {
    const value = channel / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/** WCAG contrast ratio of two colours, from 1 (same luminance) to 21 (black on white). */
export function contrastRatio(first: readonly [number, number, number], second: readonly [number, number, number]): number {
  const a = relativeLuminance(first);
  const b = relativeLuminance(second);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
