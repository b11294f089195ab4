// An attacker's OCR-style image solver, for tests: it knows the font (lib/captcha/glyphs.ts is in the repository) and how
// the renderer turns it. It keeps the dark pixels, opens them to drop thin noise lines, cuts the ink into six glyphs
// (connected components, split or merged to six by column gaps), and names each by the best-matching glyph rendering.
import { ALPHABET, ANSWER_LENGTH } from "../alphabet";
import { glyphFor, type Point } from "../glyphs";
import { decodePng } from "../png-decode.test-helper";

const W = 20;
const H = 28;

type Mask = { width: number; height: number; on: Uint8Array };

function luminance(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Otsu's threshold over the luminance histogram: the split that best separates ink from background. */
function otsu(lum: Float64Array): number {
  const hist = new Array<number>(256).fill(0);
  for (const v of lum) hist[Math.min(255, Math.max(0, Math.round(v)))]!++;
  const total = lum.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (!wB || wB === total) continue;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / (total - wB);
    const between = wB * (total - wB) * (mB - mF) ** 2;
    if (between > best) [best, threshold] = [between, t];
  }
  return threshold;
}

function morph(m: Mask, erode: boolean): Mask {
  const out = new Uint8Array(m.on.length);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      let all = true;
      let any = false;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          const v = xx >= 0 && yy >= 0 && xx < m.width && yy < m.height ? m.on[yy * m.width + xx]! : 0;
          all &&= v === 1;
          any ||= v === 1;
        }
      }
      out[y * m.width + x] = erode ? (all ? 1 : 0) : any ? 1 : 0;
    }
  }
  return { ...m, on: out };
}

type Box = { x0: number; x1: number; y0: number; y1: number; pixels: number[] };

function components(m: Mask): Box[] {
  const seen = new Uint8Array(m.on.length);
  const boxes: Box[] = [];
  for (let p = 0; p < m.on.length; p++) {
    if (!m.on[p] || seen[p]) continue;
    const stack = [p];
    seen[p] = 1;
    const box: Box = { x0: Infinity, x1: -1, y0: Infinity, y1: -1, pixels: [] };
    while (stack.length) {
      const q = stack.pop()!;
      const x = q % m.width;
      const y = Math.floor(q / m.width);
      box.pixels.push(q);
      box.x0 = Math.min(box.x0, x);
      box.x1 = Math.max(box.x1, x);
      box.y0 = Math.min(box.y0, y);
      box.y1 = Math.max(box.y1, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= m.width || yy >= m.height) continue;
          const r = yy * m.width + xx;
          if (m.on[r] && !seen[r]) {
            seen[r] = 1;
            stack.push(r);
          }
        }
      }
    }
    if (box.pixels.length >= 25) boxes.push(box);
  }
  return boxes.sort((a, b) => a.x0 - b.x0);
}

/** Splits a box at the column (in its middle half) with the least ink. */
function split(m: Mask, box: Box): [Box, Box] {
  const counts = new Map<number, number>();
  for (const p of box.pixels) counts.set(p % m.width, (counts.get(p % m.width) ?? 0) + 1);
  const w = box.x1 - box.x0;
  let cut = box.x0 + Math.floor(w / 2);
  let least = Infinity;
  for (let x = box.x0 + Math.floor(w / 4); x <= box.x1 - Math.floor(w / 4); x++) {
    const c = counts.get(x) ?? 0;
    if (c < least) [least, cut] = [c, x];
  }
  const part = (keep: (x: number) => boolean): Box => {
    const pixels = box.pixels.filter((p) => keep(p % m.width));
    const xs = pixels.map((p) => p % m.width);
    const ys = pixels.map((p) => Math.floor(p / m.width));
    return { pixels, x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
  };
  return [part((x) => x < cut), part((x) => x >= cut)];
}

function merge(a: Box, b: Box): Box {
  return {
    pixels: [...a.pixels, ...b.pixels],
    x0: Math.min(a.x0, b.x0),
    x1: Math.max(a.x1, b.x1),
    y0: Math.min(a.y0, b.y0),
    y1: Math.max(a.y1, b.y1),
  };
}

/** A box's pixels scaled into a W × H grid (its bounding box stretched to fill it). */
function normalised(width: number, box: Box): Float64Array {
  const grid = new Float64Array(W * H);
  const bw = box.x1 - box.x0 + 1;
  const bh = box.y1 - box.y0 + 1;
  for (const p of box.pixels) {
    const gx = Math.min(W - 1, Math.floor((((p % width) - box.x0) / bw) * W));
    const gy = Math.min(H - 1, Math.floor(((Math.floor(p / width) - box.y0) / bh) * H));
    grid[gy * W + gx] = 1;
  }
  return grid;
}

/** Draws a glyph as the renderer would (scale, rotation, shear, stroke radius) into a mask of its own. */
function renderGlyph(char: string, angleDeg: number, shear: number): Float64Array {
  const glyph = glyphFor(char);
  const s = 0.39;
  const size = 60;
  const m: Mask = { width: size, height: size, on: new Uint8Array(size * size) };
  const cos = Math.cos((angleDeg * Math.PI) / 180);
  const sin = Math.sin((angleDeg * Math.PI) / 180);
  const lines = glyph.strokes.map((line) =>
    line.map(([gx, gy]): Point => {
      const lx = (gx - glyph.width / 2 + shear * (gy - 58)) * s;
      const ly = (gy - 58) * s;
      return [size / 2 + lx * cos - ly * sin, size / 2 + lx * sin + ly * cos];
    }),
  );
  const r = 2.4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (const line of lines) {
        for (let i = 0; i < line.length; i++) {
          const [ax, ay] = line[Math.max(0, i - 1)]!;
          const [bx, by] = line[i]!;
          const dx = bx - ax;
          const dy = by - ay;
          const len = dx * dx + dy * dy;
          const t = len === 0 ? 0 : Math.min(1, Math.max(0, ((x + 0.5 - ax) * dx + (y + 0.5 - ay) * dy) / len));
          if ((x + 0.5 - (ax + t * dx)) ** 2 + (y + 0.5 - (ay + t * dy)) ** 2 <= r * r) m.on[y * size + x] = 1;
        }
      }
    }
  }
  const opened = morph(morph(m, true), false);
  const box = components(opened).reduce<Box | undefined>((acc, b) => (acc ? merge(acc, b) : b), undefined)!;
  return normalised(size, box);
}

export type ImageTemplates = { char: string; grid: Float64Array }[];

/** Every character at the renderer's range of rotations and shears. */
export function loadImageTemplates(): ImageTemplates {
  const out: ImageTemplates = [];
  for (const char of ALPHABET) {
    for (let angle = -16; angle <= 16; angle += 4) {
      for (const shear of [-0.18, 0, 0.18]) out.push({ char, grid: renderGlyph(char, angle, shear) });
    }
  }
  return out;
}

function similarity(a: Float64Array, b: Float64Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! * b[i]!;
    either += Math.max(a[i]!, b[i]!);
  }
  return either ? both / either : 0;
}

/** The solver's reading of a CAPTCHA PNG. */
export function solveImage(png: Buffer, templates: ImageTemplates): string {
  const { width, height, rgb } = decodePng(png);
  const lum = new Float64Array(width * height);
  for (let p = 0; p < lum.length; p++) lum[p] = luminance(rgb[p * 3]!, rgb[p * 3 + 1]!, rgb[p * 3 + 2]!);
  const t = otsu(lum);
  const mask: Mask = { width, height, on: Uint8Array.from(lum, (v) => (v < t ? 1 : 0)) };
  const opened = morph(morph(mask, true), false);
  let boxes = components(opened);
  while (boxes.length > ANSWER_LENGTH) {
    // Merge the two neighbours whose boxes overlap most (or lie closest).
    let bestI = 0;
    let bestGap = Infinity;
    for (let i = 0; i + 1 < boxes.length; i++) {
      const gap = boxes[i + 1]!.x0 - boxes[i]!.x1 - Math.min(boxes[i]!.pixels.length, boxes[i + 1]!.pixels.length) / 100;
      if (gap < bestGap) [bestGap, bestI] = [gap, i];
    }
    boxes.splice(bestI, 2, merge(boxes[bestI]!, boxes[bestI + 1]!));
  }
  while (boxes.length && boxes.length < ANSWER_LENGTH) {
    const widest = boxes.reduce((w, b, i) => (b.x1 - b.x0 > boxes[w]!.x1 - boxes[w]!.x0 ? i : w), 0);
    boxes.splice(widest, 1, ...split(opened, boxes[widest]!));
    boxes = boxes.sort((a, b) => a.x0 - b.x0);
  }
  return boxes
    .map((box) => {
      const grid = normalised(width, box);
      let best = "?";
      let score = -1;
      for (const tpl of templates) {
        const s = similarity(grid, tpl.grid);
        if (s > score) [score, best] = [s, tpl.char];
      }
      return best;
    })
    .join("");
}
