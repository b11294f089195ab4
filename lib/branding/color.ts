// The organisation's colour (ORG_COLOR): parsed, checked against WCAG 2.2 AA (4.5:1 with white, since buttons carry white
// text on it and links show it on white), and a darker shade for hover.

/** "#0b5cab" or "#08c" → [r, g, b] (0–255), or null. */
export function parseHex(hex: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const digits = m[1]!.length === 3 ? [...m[1]!].map((d) => d + d).join("") : m[1]!;
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2.x relative luminance. */
function luminance([r, g, b]: [number, number, number]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio of two colours, 1–21. */
export function contrastRatio(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export const WHITE: [number, number, number] = [255, 255, 255];
/** WCAG 2.2 AA for normal text (SC 1.4.3). */
export const AA_CONTRAST = 4.5;

const hex = (rgb: number[]) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;

/** The colour mixed with black: the hover shade (darker keeps the contrast with white). */
export function darker(rgb: [number, number, number], by = 0.22): string {
  return hex(rgb.map((c) => c * (1 - by)));
}

export type BrandColor = { accent: string; accentDark: string };

/** ORG_COLOR checked: the colours to use, or the one line that says why it is refused. */
export function brandColor(value: string): { ok: true; color: BrandColor } | { ok: false; problem: string } {
  const rgb = parseHex(value);
  if (!rgb) return { ok: false, problem: "must be a hex colour such as #0b5cab" };
  const ratio = contrastRatio(rgb, WHITE);
  if (ratio < AA_CONTRAST) {
    return {
      ok: false,
      problem: `${value} has a contrast of ${ratio.toFixed(2)}:1 with white; WCAG AA needs at least ${AA_CONTRAST}:1 (white text on buttons, the colour as text on white): choose a darker colour`,
    };
  }
  return { ok: true, color: { accent: hex(rgb), accentDark: darker(rgb) } };
}
