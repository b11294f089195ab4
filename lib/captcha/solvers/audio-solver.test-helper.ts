// An attacker's audio solver, for tests: it has the shipped clips (they are in the repository), cuts the WAV at its
// silences and names each piece by the clip it matches best (dynamic time warping over log-spectral frames, which
// shrugs off tempo, gain and small pitch changes), then reads "kind + name" pairs as characters.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ALPHABET, clipNames } from "../alphabet";
import { decodeWav } from "../wav";

const FRAME = 256;
const HOP = 160;
const BANDS = 20;
/** No clip, nor a kind + name pair, lasts longer than this (in frames): a longer piece is not worth matching. */
const LONGEST = Math.round((2.0 * 11025) / HOP);

/** In-place radix-2 FFT of a real frame; returns the power spectrum's first half. */
function powerSpectrum(frame: Float64Array): Float64Array {
  const n = frame.length;
  const re = Float64Array.from(frame);
  const im = new Float64Array(n);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) [re[i], re[j]] = [re[j]!, re[i]!];
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
  const out = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) out[k] = re[k]! ** 2 + im[k]! ** 2;
  return out;
}

const HANN = Float64Array.from({ length: FRAME }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FRAME - 1)));

/** Log energies in BANDS bands spaced on a mel-like scale, one vector per frame, plus each frame's energy. */
function features(samples: Float64Array): { frames: Float64Array[]; energy: Float64Array } {
  const count = Math.max(0, Math.floor((samples.length - FRAME) / HOP) + 1);
  const frames: Float64Array[] = [];
  const energy = new Float64Array(count);
  const edges = Array.from({ length: BANDS + 1 }, (_, b) =>
    Math.round(2 + (FRAME / 2 - 3) * ((Math.exp((b / BANDS) * 2.5) - 1) / (Math.exp(2.5) - 1))),
  );
  const frame = new Float64Array(FRAME);
  for (let f = 0; f < count; f++) {
    let e = 0;
    for (let i = 0; i < FRAME; i++) {
      const s = samples[f * HOP + i]!;
      frame[i] = s * HANN[i]!;
      e += s * s;
    }
    energy[f] = e / FRAME;
    const p = powerSpectrum(frame);
    const v = new Float64Array(BANDS);
    for (let b = 0; b < BANDS; b++) {
      let sum = 1e-9;
      for (let k = edges[b]!; k < Math.max(edges[b]! + 1, edges[b + 1]!); k++) sum += p[k]!;
      v[b] = Math.log(sum);
    }
    frames.push(v);
  }
  return { frames, energy };
}

/** Each frame's spectral shape (its mean level removed), so a louder or softer copy looks the same. */
function normalise(frames: Float64Array[]): Float64Array[] {
  return frames.map((f) => {
    const mean = f.reduce((s, v) => s + v, 0) / f.length;
    return f.map((v) => v - mean);
  });
}

/** The loud part of a clip: frames at the ends under 0.3 % of its loudest frame are padding, not speech. */
function trim(frames: Float64Array[], energy: Float64Array): Float64Array[] {
  const peak = Math.max(...energy);
  let s = 0;
  let e = energy.length;
  while (s < e && energy[s]! < peak * 0.003) s++;
  while (e > s && energy[e - 1]! < peak * 0.003) e--;
  return frames.slice(s, e);
}

/** Frames as one flat array (frame-major), for a fast inner loop. */
function flat(frames: Float64Array[]): Float64Array {
  const out = new Float64Array(frames.length * BANDS);
  frames.forEach((f, i) => out.set(f, i * BANDS));
  return out;
}

let rowA = new Float64Array(0);
let rowB = new Float64Array(0);

/** DTW distance per step between two frame sequences (flat, n and m frames; a band of 40 % around the diagonal). */
function dtw(a: Float64Array, n: number, b: Float64Array, m: number): number {
  if (!n || !m) return Infinity;
  if (rowA.length < m + 1) [rowA, rowB] = [new Float64Array(m + 1), new Float64Array(m + 1)];
  let prev = rowA;
  let cur = rowB;
  const band = Math.max(Math.abs(n - m), Math.ceil(0.4 * Math.max(n, m)));
  prev.fill(Infinity, 0, m + 1);
  prev[0] = 0;
  for (let i = 1; i <= n; i++) {
    cur.fill(Infinity, 0, m + 1);
    const centre = Math.round((i * m) / n);
    const ai = (i - 1) * BANDS;
    for (let j = Math.max(1, centre - band); j <= Math.min(m, centre + band); j++) {
      let d = 0;
      const bj = (j - 1) * BANDS;
      for (let k = 0; k < BANDS; k++) {
        const diff = a[ai + k]! - b[bj + k]!;
        d += diff * diff;
      }
      const best = Math.min(prev[j]!, cur[j - 1]!, prev[j - 1]!);
      cur[j] = Math.sqrt(d) + best;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]! / (n + m);
}

type Template = { label: string; frames: Float64Array; count: number };

function toFloat(samples: Int16Array): Float64Array {
  return Float64Array.from(samples, (s) => s / 32768);
}

function template(label: string, samples: Float64Array): Template {
  const { frames, energy } = features(samples);
  const kept = normalise(trim(frames, energy));
  return { label, frames: flat(kept), count: kept.length };
}

/**
 * Every committed clip of a locale as a template (the attacker reads them from the repository), and every kind + name
 * pair spoken together, for pieces where the short pause between the two was not cut.
 */
export function loadTemplates(locale: "nl" | "en", clipsDir = path.join(process.cwd(), "lib", "captcha", "clips")): Template[] {
  const dir = path.join(clipsDir, locale);
  const clips = readdirSync(dir)
    .filter((f) => f.endsWith(".wav"))
    .map((f) => ({ label: f.replace(/\.wav$/, ""), samples: toFloat(decodeWav(readFileSync(path.join(dir, f))).samples) }));
  const gap = new Float64Array(Math.round(0.08 * 11025));
  const pairs = clips.flatMap((k) =>
    KINDS.has(k.label.replace(/-v\d+$/, ""))
      ? clips
          .filter((n) => n.label.startsWith("say-"))
          .map((n) => ({ label: `${k.label}+${n.label}`, samples: Float64Array.from([...k.samples, ...gap, ...n.samples]) }))
      : [],
  );
  // The attacker knows the voice may be pitched ±10 %: every template also at 0.9 and 1.1.
  return [...clips, ...pairs].flatMap((c) => [0.9, 1, 1.1].map((r) => template(c.label.replace(/-v\d+/g, ""), resample(c.samples, r))));
}

/** Linear-interpolation resampling by `rate` (> 1 is higher and faster), as the generator does. */
function resample(x: Float64Array, rate: number): Float64Array {
  if (rate === 1) return x;
  const out = new Float64Array(Math.floor((x.length - 1) / rate));
  for (let k = 0; k < out.length; k++) {
    const t = k * rate;
    const i = Math.floor(t);
    out[k] = x[i]! * (1 - (t - i)) + x[i + 1]! * (t - i);
  }
  return out;
}

/** Runs of loud frames: the loudness threshold sits between the quiet floor and the loud parts, as a silence cutter does. */
function segments(energy: Float64Array): [number, number][] {
  const sorted = [...energy].sort((x, y) => x - y);
  const floor = sorted[Math.floor(sorted.length * 0.1)] ?? 0;
  const loud = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  const threshold = Math.max(floor * 4, floor + (loud - floor) * 0.003);
  const runs: [number, number][] = [];
  let start = -1;
  let quiet = 0;
  for (let f = 0; f <= energy.length; f++) {
    const on = f < energy.length && energy[f]! > threshold;
    if (on) {
      if (start < 0) start = f;
      quiet = 0;
    } else if (start >= 0) {
      quiet++;
      // Gaps under ~70 ms are inside a word; longer ones end it.
      if (quiet > 6 || f === energy.length) {
        const end = f - quiet + 1;
        if (end - start >= 4) runs.push([start, end]);
        start = -1;
        quiet = 0;
      }
    }
  }
  return runs;
}

const KINDS = new Set(["upper", "lower", "digit"]);

/** The character a kind and a name spell, if it is in the alphabet. */
function charOf(kind: string, name: string): string | undefined {
  return [...ALPHABET].find((c) => {
    const [k, n] = clipNames(c)!;
    return k === kind && n === name;
  });
}

/** The solver's guess for a WAV (six characters from the kind + name pairs it heard), and the pieces it heard. */
export function solveAudio(wav: Buffer, templates: Template[]): { guess: string; labels: string[] } {
  const { frames, energy } = features(toFloat(decodeWav(wav).samples));
  const labels = segments(energy).flatMap(([s, e]) => {
    if (e - s > LONGEST) return ["?"];
    const piece = flat(normalise(frames.slice(s, e)));
    const n = e - s;
    let best = "";
    let bestD = Infinity;
    for (const t of templates) {
      // A piece half or twice a template's length is not that template, whatever the pace.
      if (t.count > 2 * n || n > 2 * t.count) continue;
      const d = dtw(piece, n, t.frames, t.count);
      if (d < bestD) [bestD, best] = [d, t.label];
    }
    return best.split("+");
  });
  // Pieces that are no kind + name pair (the prompts, broken-up words) are skipped; the answer is read twice.
  let chars = "";
  for (let i = 0; i + 1 < labels.length; i++) {
    const c = KINDS.has(labels[i]!) && labels[i + 1]!.startsWith("say-") ? charOf(labels[i]!, labels[i + 1]!) : undefined;
    if (c) {
      chars += c;
      i++;
    }
  }
  const guess = chars.length >= 12 && chars.slice(0, 6) !== chars.slice(-6) ? chars.slice(-6) : chars.slice(0, 6);
  return { guess, labels };
}
