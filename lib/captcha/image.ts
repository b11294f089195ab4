// Draws a CAPTCHA answer as an anti-aliased raster PNG: thick jittered strokes, light clutter and a few thin noise curves.
import { glyphFor, type Point } from "./glyphs";
import { encodeIndexedPng } from "./png";
import { between, pick, type Random } from "./render-random";

export const IMAGE_WIDTH = 240;
export const IMAGE_HEIGHT = 80;

type Rgb = readonly [number, number, number];

/** Ink colours, each at least 9:1 against every background below (WCAG AAA asks 7:1). */
export const INKS: Rgb[] = [
  [0x1b, 0x2a, 0x4a], // navy
  [0x3a, 0x1c, 0x47], // plum
  [0x12, 0x3b, 0x2a], // bottle green
  [0x4a, 0x22, 0x10], // dark brown
  [0x22, 0x22, 0x22], // near black
];
export const BACKGROUNDS: Rgb[] = [
  [0xf7, 0xf6, 0xf0],
  [0xf0, 0xf4, 0xf8],
  [0xf4, 0xf7, 0xf0],
  [0xf8, 0xf2, 0xf2],
];
/** Clutter behind the text: light enough that a reader's eye skips it. */
const CLUTTER: Rgb[] = [
  [0xc9, 0xcf, 0xd8],
  [0xd6, 0xcb, 0xc0],
  [0xc4, 0xd4, 0xc8],
];

/**
 * The pixel buffers of one picture size, kept for the process and reused by every picture of that size (a rendering
 * runs start to end without yielding, so two never share them): allocating them per picture, about 0.5 MB at 1x and
 * 2 MB at 2x, made the server's garbage collector walk its whole heap every few hundred pictures, which cost more than
 * the drawing (issue #13: a picture no dearer than a bare page). `nearest` is Infinity everywhere between strokes.
 */
type Buffers = {
  pixels: Float32Array;
  nearest: Float32Array;
  touched: Int32Array;
  rgb: Uint8Array;
  buckets: Uint16Array;
  indices: Uint8Array;
};
const buffersBySize = new Map<number, Buffers>();

function buffersFor(pixels: number): Buffers {
  let b = buffersBySize.get(pixels);
  if (!b) {
    b = {
      pixels: new Float32Array(pixels * 3),
      nearest: new Float32Array(pixels).fill(Infinity),
      touched: new Int32Array(pixels),
      rgb: new Uint8Array(pixels * 3),
      buckets: new Uint16Array(pixels),
      indices: new Uint8Array(pixels),
    };
    buffersBySize.set(pixels, b);
  }
  return b;
}

/** Draws in the picture's own units (IMAGE_WIDTH × IMAGE_HEIGHT) onto `ratio` × as many pixels each way. */
class Canvas {
  readonly pixels: Float32Array;
  readonly width: number;
  readonly height: number;
  /** Per pixel, the squared distance to the nearest segment of the stroke being drawn (Infinity when untouched). */
  private readonly nearest: Float32Array;
  private readonly touched: Int32Array;
  constructor(
    width: number,
    height: number,
    private readonly ratio = 1,
  ) {
    this.width = Math.round(width * ratio);
    this.height = Math.round(height * ratio);
    width = this.width;
    height = this.height;
    this.buffers = buffersFor(width * height);
    this.pixels = this.buffers.pixels;
    this.nearest = this.buffers.nearest;
    this.touched = this.buffers.touched;
  }

  readonly buffers: Buffers;

  /** A diagonal gradient between two light colours. */
  fill(from: Rgb, to: Rgb): void {
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const t = (x / this.width + y / this.height) / 2;
        const i = (y * this.width + x) * 3;
        for (let k = 0; k < 3; k++) this.pixels[i + k] = from[k]! + (to[k]! - from[k]!) * t;
      }
    }
  }

  /**
   * Strokes polylines with round ends: each pixel's coverage is how far its centre lies inside the stroke
   * (distance to the nearest segment against the radius), which gives a cheap one-pixel anti-aliased edge.
   * Each segment only visits the pixels of its own bounding box, so long noise curves stay cheap.
   */
  stroke(units: Point[][], unitRadius: number, colour: Rgb, opacity = 1): void {
    const r = this.ratio;
    const lines = r === 1 ? units : units.map((line) => line.map(([x, y]): Point => [x * r, y * r]));
    const radius = unitRadius * r;
    const reach = radius + 1;
    const nearest = this.nearest;
    let touchedCount = 0;
    for (const line of lines) {
      for (let i = 0; i < line.length; i++) {
        const [ax, ay] = line[Math.max(0, i - 1)]!;
        const [bx, by] = line[i]!;
        if (i === 0 && line.length > 1) continue;
        const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
        const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + reach));
        const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
        const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + reach));
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) {
            const d = distanceSquared(x + 0.5, y + 0.5, ax, ay, bx, by);
            if (d > reach * reach) continue;
            const p = y * this.width + x;
            const known = nearest[p]!;
            if (known === Infinity) this.touched[touchedCount++] = p;
            if (d < known) nearest[p] = d;
          }
        }
      }
    }
    for (let t = 0; t < touchedCount; t++) {
      const p = this.touched[t]!;
      const d = nearest[p]!;
      nearest[p] = Infinity;
      const coverage = Math.min(1, Math.max(0, radius + 0.5 - Math.sqrt(d))) * opacity;
      if (coverage <= 0) continue;
      const i = p * 3;
      for (let k = 0; k < 3; k++) this.pixels[i + k] = this.pixels[i + k]! * (1 - coverage) + colour[k]! * coverage;
    }
  }

  /** The pixels as bytes, in the size's reused buffer (valid until the next picture of this size). */
  toRgb(): Uint8Array {
    const out = this.buffers.rgb;
    for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(255, Math.max(0, this.pixels[i]!)));
    return out;
  }
}

const BUCKETS = 1 << 15;
/**
 * reduceColours' tables, one set for the process (a rendering runs start to end without yielding): counts, colour sums
 * (at most 76 800 pixels × 255 fits 32 bits) and nearest palette entry per 15-bit bucket. Allocating and zeroing them
 * for every picture (about 1 MB) cost more than the rest of the colour reduction.
 */
const scratch = { count: new Uint32Array(BUCKETS), sums: new Uint32Array(BUCKETS * 3), nearest: new Int16Array(BUCKETS).fill(-1) };

/**
 * Reduces an image to at most 256 colours (the most used 15-bit buckets, then nearest match) so it stores as an indexed
 * PNG: returns each pixel's palette index and the palette (RGB triples), which the PNG encoder takes as they are.
 */
function reduceColours(
  rgb: Uint8Array,
  { buckets, indices }: Pick<Buffers, "buckets" | "indices">,
  max = 256,
): { indices: Uint8Array; palette: Uint8Array } {
  const pixels = rgb.length / 3;
  const { count, sums, nearest } = scratch;
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    const b = ((rgb[i]! >> 3) << 10) | ((rgb[i + 1]! >> 3) << 5) | (rgb[i + 2]! >> 3);
    buckets[p] = b;
    count[b]!++;
    sums[b * 3] = sums[b * 3]! + rgb[i]!;
    sums[b * 3 + 1] = sums[b * 3 + 1]! + rgb[i + 1]!;
    sums[b * 3 + 2] = sums[b * 3 + 2]! + rgb[i + 2]!;
  }
  const used: number[] = [];
  for (let b = 0; b < BUCKETS; b++) if (count[b]) used.push(b);
  try {
    return mapToPalette(rgb, buckets, indices, used, max);
  } finally {
    // Cleared for the next picture: only the buckets this one used.
    for (const b of used) {
      count[b] = 0;
      sums[b * 3] = sums[b * 3 + 1] = sums[b * 3 + 2] = 0;
      nearest[b] = -1;
    }
  }
}

/** The palette of the most used buckets, and each pixel's nearest palette colour (reduceColours' second half). */
function mapToPalette(
  rgb: Uint8Array,
  buckets: Uint16Array,
  indices: Uint8Array,
  used: number[],
  max: number,
): { indices: Uint8Array; palette: Uint8Array } {
  const { count, sums, nearest } = scratch;
  const pixels = buckets.length;
  used.sort((x, y) => count[y]! - count[x]!);
  const colours = Math.min(max, used.length);
  const palette = new Uint8Array(colours * 3);
  for (let c = 0; c < colours; c++) {
    const b = used[c]!;
    for (let k = 0; k < 3; k++) palette[c * 3 + k] = Math.round(sums[b * 3 + k]! / count[b]!);
  }
  // Nearest palette colour per bucket, from the first pixel seen in it (computed once per bucket in use;
  // anti-aliasing makes thousands of exact colours).
  for (let p = 0, i = 0; p < pixels; p++, i += 3) {
    const b = buckets[p]!;
    let index = nearest[b]!;
    if (index < 0) {
      const [r, g, bl] = [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
      let best = Infinity;
      for (let c = 0, q = 0; c < colours; c++, q += 3) {
        const dr = palette[q]! - r;
        if (dr * dr >= best) continue;
        const dg = palette[q + 1]! - g;
        const db = palette[q + 2]! - bl;
        const d = dr * dr + dg * dg + db * db;
        if (d < best) {
          best = d;
          index = c;
        }
      }
      nearest[b] = index;
    }
    indices[p] = index;
  }
  return { indices, palette };
}

function distanceSquared(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / len));
  const ex = px - (ax + t * dx);
  const ey = py - (ay + t * dy);
  return ex * ex + ey * ey;
}

/** A smooth wavy line across the image (sum of two sines), used for background clutter and foreground noise. */
function wave(random: Random, width: number, height: number, amplitude: number): Point[] {
  const y0 = between(random, height * 0.3, height * 0.7);
  const tilt = between(random, -0.15, 0.15);
  const f1 = between(random, 0.015, 0.035);
  const f2 = between(random, 0.04, 0.07);
  const p1 = between(random, 0, Math.PI * 2);
  const p2 = between(random, 0, Math.PI * 2);
  const a2 = amplitude * between(random, 0.2, 0.45);
  const points: Point[] = [];
  for (let x = -4; x <= width + 4; x += 3) {
    points.push([x, y0 + tilt * (x - width / 2) + amplitude * Math.sin(f1 * x + p1) + a2 * Math.sin(f2 * x + p2)]);
  }
  return points;
}

/** Splits every segment into pieces of at most `step` pixels, so a warp bends straight strokes too. */
function subdivide(line: Point[], step = 3): Point[] {
  const out: Point[] = line.length ? [line[0]!] : [];
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = line[i - 1]!;
    const [bx, by] = line[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let k = 1; k <= n; k++) out.push([ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n]);
  }
  return out;
}

/**
 * How the picture is disguised, per challenge (all from its seeded random). Each part is aimed at a step of an OCR
 * attack, and kept mild enough for people:
 * - crowding: neighbouring characters stand only 1.5–6 px apart (turned and warped, they often touch; their inks
 *   differ, so people still see where one ends), and with the strike line the ink is one blob, not six;
 * - a strike line through the text in a letter's ink, about 3 px wide (a letter's strokes are 4–6 px), which opening the
 *   ink with a small kernel does not remove and which ties the characters together;
 * - a smooth warp of the whole text (±1.5–3 px, waves of 45–90 px), plus per-character size, turn, slant and stroke
 *   width, so no rendering of the font matches a character pixel for pixel.
 */
export const IMAGE_DISGUISE: ImageDisguise = {
  strike: true,
  overlap: [-6, -1.5],
  scale: [0.4, 0.45],
  turnDeg: [2, 12],
  slant: [-0.2, 0.2],
  strokeRadius: [2.0, 2.8],
  strikeRadius: [1.3, 1.7],
  warpPx: [1.2, 2.4],
  warpWave: [45, 90],
};

type Range = readonly [number, number];
export type ImageDisguise = {
  strike: boolean;
  overlap: Range;
  scale: Range;
  turnDeg: Range;
  slant: Range;
  strokeRadius: Range;
  strikeRadius: Range;
  warpPx: Range;
  warpWave: Range;
};

/**
 * Renders text (the answer) as a PNG; all variation comes from random, so the same seed gives the same image. `ratio` 2
 * draws the same picture with twice the pixels each way, for high-density screens (the page offers it in srcset).
 */
export function renderCaptchaImage(text: string, random: Random, d: ImageDisguise = IMAGE_DISGUISE, ratio: 1 | 2 = 1): Buffer {
  const width = IMAGE_WIDTH;
  const height = IMAGE_HEIGHT;
  const canvas = new Canvas(width, height, ratio);
  const bg = pick(random, BACKGROUNDS);
  canvas.fill(bg, pick(random, BACKGROUNDS));

  // Clutter behind the text: faint waves and rings.
  for (let i = 0; i < 3; i++) canvas.stroke([wave(random, width, height, 22)], between(random, 0.7, 1.2), pick(random, CLUTTER));
  for (let i = 0; i < 4; i++) {
    const cx = between(random, 0, width);
    const cy = between(random, 0, height);
    const r = between(random, 6, 16);
    const ring: Point[] = [];
    for (let a = 0; a <= 360; a += 15) ring.push([cx + r * Math.cos((a * Math.PI) / 180), cy + r * Math.sin((a * Math.PI) / 180)]);
    canvas.stroke([ring], 0.8, pick(random, CLUTTER));
  }

  // One warp for the whole text: two crossed sine waves that move every point a little.
  const [ax, ay] = [between(random, d.warpPx[0], d.warpPx[1]), between(random, d.warpPx[0], d.warpPx[1])];
  const [lx, ly] = [between(random, d.warpWave[0], d.warpWave[1]), between(random, d.warpWave[0], d.warpWave[1])];
  const [px, py] = [between(random, 0, 2 * Math.PI), between(random, 0, 2 * Math.PI)];
  const warp = ([x, y]: Point): Point => [x + ax * Math.sin((2 * Math.PI * y) / ly + px), y + ay * Math.sin((2 * Math.PI * x) / lx + py)];

  // Characters: per-character scale, turn, slant and offset; crowded so that neighbours overlap.
  const chars = [...text];
  const glyphs = chars.map((c) => glyphFor(c));
  const scales = glyphs.map(() => between(random, d.scale[0], d.scale[1]));
  const overlaps = glyphs.map(() => between(random, d.overlap[0], d.overlap[1]));
  const inked = glyphs.reduce((sum, g, i) => sum + g.width * scales[i]!, 0) - overlaps.slice(1).reduce((a, b) => a + b, 0);
  let x = (width - inked) / 2;
  const inks: Rgb[] = [];
  glyphs.forEach((glyph, i) => {
    const s = scales[i]!;
    const angle = (between(random, d.turnDeg[0], d.turnDeg[1]) * (random() < 0.5 ? -1 : 1) * Math.PI) / 180;
    const shear = between(random, d.slant[0], d.slant[1]);
    const cx = x + (glyph.width * s) / 2;
    const cy = height / 2 + between(random, -4, 4);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const strokes = glyph.strokes.map((line) =>
      subdivide(
        line.map(([gx, gy]): Point => {
          const lx = (gx - glyph.width / 2 + shear * (gy - 58)) * s;
          const ly = (gy - 58) * s;
          return [cx + lx * cos - ly * sin, cy + lx * sin + ly * cos];
        }),
      ).map(warp),
    );
    // Neighbours never share an ink: where they touch, the colour tells people where one ends.
    let ink = pick(random, INKS);
    if (ink === inks.at(-1)) ink = INKS[(INKS.indexOf(ink) + 1) % INKS.length]!;
    inks.push(ink);
    canvas.stroke(strokes, between(random, d.strokeRadius[0], d.strokeRadius[1]), ink);
    x += glyph.width * s - (overlaps[i + 1] ?? 0);
  });

  // A strike line through the middle band in one of the letters' inks, nearly as bold as a letter.
  const strike = wave(random, width, height, 10).map(([sx, sy]): Point => [sx, height / 2 + (sy - height / 2) * 0.5]);
  if (d.strike) canvas.stroke([strike], between(random, d.strikeRadius[0], d.strikeRadius[1]), pick(random, inks));

  // Foreground noise: a thin curve and a sprinkling of dots, much thinner than a stroke.
  canvas.stroke([wave(random, width, height, 18)], 0.6, pick(random, INKS), 0.8);
  for (let i = 0; i < 70; i++) {
    const p: Point = [between(random, 0, width), between(random, 0, height)];
    canvas.stroke([[p]], between(random, 0.4, 1.0), random() < 0.5 ? pick(random, CLUTTER) : [0x70, 0x76, 0x80]);
  }
  const { indices, palette } = reduceColours(canvas.toRgb(), canvas.buffers);
  return encodeIndexedPng(canvas.width, canvas.height, indices, palette);
}
