/**
 * Colour arithmetic for the brand colour (WCAG 2.x relative luminance and contrast ratio): a button's text colour that
 * can be read on it, and a link colour that can be read on white. Pure.
 */

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;
export const WHITE = '#ffffff';
export const DARK = '#111827';
/** The page background (./style.ts): links sit on it as well as on white cards. */
export const PAGE_BACKGROUND = '#f4f5f7';

type Rgb = [number, number, number];

function parse(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`not a colour #rrggbb: ${hex}`);
  return [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16), parseInt(m[3] as string, 16)];
}

function format(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance, 0 (black) … 1 (white). */
export function luminance(hex: string): number {
  const [r, g, b] = parse(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, 1 … 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour mixed towards black by `amount` (0 … 1). */
export function darken(hex: string, amount: number): string {
  return format(parse(hex).map((c) => c * (1 - amount)) as Rgb);
}

/** `hex` as it is if it reaches `min` contrast against `against`, else darkened step by step until it does. */
export function darkenUntil(hex: string, against: string, min = MIN_CONTRAST): string {
  let colour = hex.toLowerCase();
  for (let step = 1; contrastRatio(colour, against) < min && step <= 20; step++) colour = darken(hex, step * 0.05);
  return colour;
}

export interface ButtonColours {
  /** The button's background: the brand colour, darkened only if neither white nor dark text can be read on it. */
  background: string;
  /** White or dark text, whichever reads better; contrast with `background` ≥ 4.5. */
  text: string;
}

/** Colours for a primary button in the brand colour. */
export function buttonColours(brandColour: string): ButtonColours {
  const background = brandColour.toLowerCase();
  const onWhite = contrastRatio(background, WHITE);
  const onDark = contrastRatio(background, DARK);
  if (Math.max(onWhite, onDark) >= MIN_CONTRAST) return { background, text: onWhite >= onDark ? WHITE : DARK };
  // Mid-tones (e.g. a saturated orange) fail both ways: darken the background until white text is readable.
  return { background: darkenUntil(background, WHITE), text: WHITE };
}

/** The brand colour for links and text on the page background and white cards (darkened until it reads, ≥ 4.5:1). */
export function linkColour(brandColour: string): string {
  return darkenUntil(brandColour, PAGE_BACKGROUND);
}
