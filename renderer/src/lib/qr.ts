/**
 * QR codes as inline SVG (uqr), coloured by the theme's variables so they read in light and dark.
 * Scanners need a light quiet zone around dark modules, so the background stays light in both.
 */
import { renderSVG } from 'uqr';

/** Null when the text does not fit one QR code (version 40 at the lowest error correction). */
export function qrSvg(text: string): string | null {
  try {
    return renderSVG(text, { ecc: text.length > 600 ? 'L' : 'M', border: 2, pixelSize: 6, whiteColor: '#ffffff', blackColor: '#111418' });
  } catch {
    return null;
  }
}
