// Draws a CAPTCHA answer as an anti-aliased raster PNG: thick jittered strokes, light clutter and a few thin noise curves.
import { glyphFor, type Point } from "./glyphs";
import { encodePng } from "./png";
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

class Canvas {
  readonly pixels: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Float32Array(width * height * 3);
  }

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
  stroke(lines: Point[][], radius: number, colour: Rgb, opacity = 1): void {
    const reach = radius + 1;
    const nearest = new Map<number, number>(); // pixel index → squared distance to the closest segment
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
            const known = nearest.get(p);
            if (known === undefined || d < known) nearest.set(p, d);
          }
        }
      }
    }
    for (const [p, d] of nearest) {
      const coverage = Math.min(1, Math.max(0, radius + 0.5 - Math.sqrt(d))) * opacity;
      if (coverage <= 0) continue;
      const i = p * 3;
      for (let k = 0; k < 3; k++) this.pixels[i + k] = this.pixels[i + k]! * (1 - coverage) + colour[k]! * coverage;
    }
  }

  toRgb(): Uint8Array {
    const out = new Uint8Array(this.pixels.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(255, Math.max(0, this.pixels[i]!)));
    return out;
  }
}

/** Reduces an image to at most 256 colours (the most used 15-bit buckets, then nearest match) so it stores as an indexed PNG. */
function reduceColours(rgb: Uint8Array, max = 256): Uint8Array {
  const buckets = new Map<number, [count: number, r: number, g: number, b: number]>();
  for (let i = 0; i < rgb.length; i += 3) {
    const key = ((rgb[i]! >> 3) << 10) | ((rgb[i + 1]! >> 3) << 5) | (rgb[i + 2]! >> 3);
    const b = buckets.get(key) ?? [0, 0, 0, 0];
    b[0]++;
    b[1] += rgb[i]!;
    b[2] += rgb[i + 1]!;
    b[3] += rgb[i + 2]!;
    buckets.set(key, b);
  }
  const palette = [...buckets.values()]
    .sort((x, y) => y[0] - x[0])
    .slice(0, max)
    .map(([n, r, g, b]) => [Math.round(r / n), Math.round(g / n), Math.round(b / n)] as const);
  const nearest = new Map<number, readonly [number, number, number]>();
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const key = (rgb[i]! << 16) | (rgb[i + 1]! << 8) | rgb[i + 2]!;
    let colour = nearest.get(key);
    if (!colour) {
      let best = Infinity;
      for (const c of palette) {
        const d = (c[0] - rgb[i]!) ** 2 + (c[1] - rgb[i + 1]!) ** 2 + (c[2] - rgb[i + 2]!) ** 2;
        if (d < best) [best, colour] = [d, c];
      }
      nearest.set(key, colour!);
    }
    out.set(colour!, i);
  }
  return out;
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

/** Renders text (the answer) as a PNG; all variation comes from random, so the same seed gives the same image. */
export function renderCaptchaImage(text: string, random: Random): Buffer {
  const width = IMAGE_WIDTH;
  const height = IMAGE_HEIGHT;
  const canvas = new Canvas(width, height);
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

  // Characters: per-character scale, rotation, shear and offset; widths decide the spacing.
  const chars = [...text];
  const glyphs = chars.map((c) => glyphFor(c));
  const scales = glyphs.map(() => 0.39 * between(random, 0.92, 1.08));
  const margin = 12;
  const inked = glyphs.reduce((sum, g, i) => sum + g.width * scales[i]!, 0);
  const gap = chars.length > 1 ? Math.min(14, Math.max(1, (width - 2 * margin - inked) / (chars.length - 1))) : 0;
  let x = (width - inked - gap * (chars.length - 1)) / 2;
  let previousInk: Rgb | undefined;
  glyphs.forEach((glyph, i) => {
    const s = scales[i]!;
    const angle = (between(random, 4, 16) * (random() < 0.5 ? -1 : 1) * Math.PI) / 180;
    const shear = between(random, -0.18, 0.18);
    const cx = x + (glyph.width * s) / 2 + between(random, -2.5, 2.5);
    const cy = height / 2 + between(random, -4, 4);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const strokes = glyph.strokes.map((line) =>
      line.map(([gx, gy]): Point => {
        const lx = (gx - glyph.width / 2 + shear * (gy - 58)) * s;
        const ly = (gy - 58) * s;
        return [cx + lx * cos - ly * sin, cy + lx * sin + ly * cos];
      }),
    );
    let ink = pick(random, INKS);
    if (ink === previousInk) ink = INKS[(INKS.indexOf(ink) + 1) % INKS.length]!;
    previousInk = ink;
    canvas.stroke(strokes, between(random, 2.2, 2.6), ink);
    x += glyph.width * s + gap;
  });

  // Foreground noise: two thin curves through the text and a sprinkling of dots, all much thinner than a stroke.
  canvas.stroke([wave(random, width, height, 14)], 0.75, [0x55, 0x5c, 0x66], 0.9);
  canvas.stroke([wave(random, width, height, 18)], 0.6, pick(random, INKS), 0.8);
  for (let i = 0; i < 70; i++) {
    const p: Point = [between(random, 0, width), between(random, 0, height)];
    canvas.stroke([[p]], between(random, 0.4, 1.0), random() < 0.5 ? pick(random, CLUTTER) : [0x70, 0x76, 0x80]);
  }
  return encodePng(width, height, reduceColours(canvas.toRgb()));
}
