/** Logo files askgate serves, by the extension in their URL. */
export const logoContentTypes = {
  png: 'image/png',
  svg: 'image/svg+xml',
  webp: 'image/webp',
} as const;

export type LogoExtension = keyof typeof logoContentTypes;

export const maxLogoBytes = 64 * 1024;

/**
 * Policy sent with an SVG logo. Opened on its own, an SVG is a document that could run script, so
 * this policy blocks script and every load. It keeps inline styles, which SVG files often use.
 */
export const svgContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const svgStart = /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i;

/** Tells the image format from the file's first bytes; null when it is not PNG, WebP or SVG. */
export function detectLogoType(bytes: Uint8Array): LogoExtension | null {
  if (pngSignature.every((byte, index) => bytes[index] === byte)) return 'png';

  const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';

  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '');
  if (svgStart.test(text)) return 'svg';
  return null;
}
