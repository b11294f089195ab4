// A single-stroke font for exactly the CAPTCHA alphabet: polylines in font units (cap height 100, y down, baseline at 100).

export type Point = readonly [x: number, y: number];
export type Glyph = { width: number; strokes: Point[][] };

/** Points along an elliptical arc from a0 to a1 degrees (0 = right, 90 = down; a1 < a0 runs anticlockwise on screen). */
function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): Point[] {
  const steps = Math.max(2, Math.ceil(Math.abs(a1 - a0) / 8));
  const points: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const a = ((a0 + ((a1 - a0) * i) / steps) * Math.PI) / 180;
    points.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return points;
}

/** Lower-case letters sit between the x-height (32) and the baseline (100); ascenders reach the cap height (0). */
const GLYPHS: Record<string, Glyph> = {
  A: {
    width: 64,
    strokes: [
      [
        [2, 100],
        [32, 0],
        [62, 100],
      ],
      [
        [13, 66],
        [51, 66],
      ],
    ],
  },
  D: { width: 60, strokes: [[[24, 100], [6, 100], [6, 0], [24, 0], ...arc(24, 50, 32, 50, -90, 90)]] },
  E: {
    width: 52,
    strokes: [
      [
        [50, 0],
        [6, 0],
        [6, 100],
        [50, 100],
      ],
      [
        [6, 50],
        [42, 50],
      ],
    ],
  },
  F: {
    width: 50,
    strokes: [
      [
        [50, 0],
        [6, 0],
        [6, 100],
      ],
      [
        [6, 48],
        [42, 48],
      ],
    ],
  },
  H: {
    width: 60,
    strokes: [
      [
        [6, 0],
        [6, 100],
      ],
      [
        [54, 0],
        [54, 100],
      ],
      [
        [6, 50],
        [54, 50],
      ],
    ],
  },
  L: {
    width: 48,
    strokes: [
      [
        [6, 0],
        [6, 100],
        [46, 100],
      ],
    ],
  },
  M: {
    width: 76,
    strokes: [
      [
        [6, 100],
        [6, 0],
        [38, 62],
        [70, 0],
        [70, 100],
      ],
    ],
  },
  R: {
    width: 58,
    strokes: [
      [[6, 100], [6, 0], [28, 0], ...arc(28, 25, 22, 25, -90, 90), [6, 50]],
      [
        [26, 50],
        [54, 100],
      ],
    ],
  },
  T: {
    width: 60,
    strokes: [
      [
        [2, 0],
        [58, 0],
      ],
      [
        [30, 0],
        [30, 100],
      ],
    ],
  },
  // A two-storey "a", so it can never pass for a "d" or an "o".
  a: {
    width: 52,
    strokes: [
      [...arc(26, 50, 20, 18, 200, 360), [46, 100]],
      [[46, 62], [25, 62], ...arc(25, 81, 20, 19, -90, -320)],
    ],
  },
  d: {
    width: 56,
    strokes: [
      arc(25, 66, 21, 34, 0, 360),
      [
        [48, 0],
        [48, 100],
      ],
    ],
  },
  e: { width: 54, strokes: [[[6, 67], [48, 67], ...arc(27, 66, 21, 34, 0, -310)]] },
  f: {
    width: 46,
    strokes: [
      [[22, 100], ...arc(36, 18, 14, 16, 180, 305)],
      [
        [6, 34],
        [40, 34],
      ],
    ],
  },
  h: {
    width: 54,
    strokes: [
      [
        [6, 0],
        [6, 100],
      ],
      [...arc(27, 56, 21, 22, 180, 360), [48, 100]],
    ],
  },
  m: {
    width: 72,
    strokes: [
      [
        [6, 32],
        [6, 100],
      ],
      [...arc(21, 54, 15, 21, 180, 360), [36, 100]],
      [...arc(51, 54, 15, 21, 180, 360), [66, 100]],
    ],
  },
  r: {
    width: 42,
    strokes: [
      [
        [6, 32],
        [6, 100],
      ],
      arc(28, 58, 22, 24, 180, 300),
    ],
  },
  t: {
    width: 42,
    strokes: [
      [[18, 8], ...arc(30, 84, 12, 16, 180, 40)],
      [
        [4, 34],
        [36, 34],
      ],
    ],
  },
  "3": {
    width: 54,
    strokes: [
      [...arc(26, 25, 21, 24, -150, 90), ...arc(26, 73, 24, 27, -90, 150)],
      [
        [16, 48],
        [26, 48],
      ],
    ],
  },
  "4": {
    width: 58,
    strokes: [
      [
        [40, 100],
        [40, 0],
        [2, 68],
        [56, 68],
      ],
    ],
  },
  "7": {
    width: 56,
    strokes: [
      [
        [2, 0],
        [54, 0],
        [18, 100],
      ],
    ],
  },
};

/** Drawn for a character outside the alphabet (never in a challenge, whose answer comes from the alphabet): an empty box. */
const MISSING: Glyph = {
  width: 52,
  strokes: [
    [
      [6, 0],
      [46, 0],
      [46, 100],
      [6, 100],
      [6, 0],
    ],
  ],
};

export function glyphFor(char: string): Glyph {
  return GLYPHS[char] ?? MISSING;
}

export function hasGlyph(char: string): boolean {
  return char in GLYPHS;
}
