// One-off tool that speaks every CAPTCHA character (and the two short prompts) with espeak-ng and writes the committed clips.
//
// Regenerate (only needed when the alphabet or a phrase changes):
//   apt-get install -y espeak-ng          # Debian/Ubuntu package, voices "nl" and "en" included
//   npx tsx scripts/render-captcha-clips.ts
// The clips land in lib/captcha/clips/<locale>/<name>.wav: 11 025 Hz mono 16-bit PCM, silences trimmed,
// peak-normalised. The server only concatenates them (lib/captcha/audio.ts); espeak-ng is never run in production.
//
// Licence note: espeak-ng is GPL-3.0-or-later. The clips are speech *output* of the program, not a copy or a
// derivative of it, and GPL terms do not extend to a program's output; Toegang ships no espeak-ng code or data at
// run time, and this script only invokes the separately installed binary. (espeak-ng 1.51, Debian bookworm.)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AGAIN_CLIP, ALPHABET, clipNames, INTRO_CLIP } from "../lib/captcha/alphabet";
import { decodeWav, encodeWav } from "../lib/captcha/wav";

const TARGET_RATE = 11_025;
const SPEED_WPM = 135;
const outRoot = path.join(__dirname, "..", "lib", "captcha", "clips");

type Locale = "nl" | "en";
const voices: Record<Locale, string> = { nl: "nl", en: "en" };

/** What each clip says, per locale; a character is spoken as its kind clip then its name clip ("hoofdletter" + "A"). */
const prompts: Record<Locale, Record<string, string>> = {
  nl: { [INTRO_CLIP]: "De tekens zijn:", [AGAIN_CLIP]: "Nog een keer:", upper: "hoofdletter", lower: "kleine letter", digit: "cijfer" },
  en: { [INTRO_CLIP]: "The characters are:", [AGAIN_CLIP]: "Once more:", upper: "capital", lower: "small", digit: "digit" },
};

function speak(voice: string, text: string, tmp: string): Float64Array {
  const file = path.join(tmp, "clip.wav");
  execFileSync("espeak-ng", ["-v", voice, "-s", String(SPEED_WPM), "-g", "3", "-w", file, text]);
  const { sampleRate, samples } = decodeWav(readFileSync(file));
  const floats = Float64Array.from(samples, (s) => s / 32768);
  return resample(floats, sampleRate, TARGET_RATE);
}

/** Windowed-sinc low-pass then linear-phase resampling; good enough for speech going down to 11 kHz. */
function resample(input: Float64Array, from: number, to: number): Float64Array {
  if (from === to) return input;
  const ratio = from / to;
  const cutoff = (0.45 * to) / from; // cycles per input sample, a little under the new Nyquist
  const half = 32;
  const out = new Float64Array(Math.floor(input.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const centre = i * ratio;
    const base = Math.floor(centre);
    let acc = 0;
    for (let k = base - half + 1; k <= base + half; k++) {
      if (k < 0 || k >= input.length) continue;
      const x = k - centre;
      const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
      const window = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
      acc += input[k]! * sinc * window;
    }
    out[i] = acc;
  }
  return out;
}

/** Cuts leading and trailing silence (20 ms windows under 0.5 % of the peak, so soft fricatives such as "f" survive), keeping a short pad and soft edges. */
function trimAndNormalise(x: Float64Array, rate: number): Int16Array {
  const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const win = Math.round(rate * 0.02);
  const loud = (start: number) => {
    let sum = 0;
    for (let i = start; i < Math.min(x.length, start + win); i++) sum += x[i]! * x[i]!;
    return Math.sqrt(sum / win) > 0.005 * peak;
  };
  let start = 0;
  while (start < x.length && !loud(start)) start += win;
  let end = x.length;
  while (end > start && !loud(Math.max(start, end - win))) end -= win;
  const pad = Math.round(rate * 0.04);
  start = Math.max(0, start - pad);
  end = Math.min(x.length, end + pad);
  const fade = Math.round(rate * 0.008);
  const gain = 0.89 / peak;
  const out = new Int16Array(end - start);
  for (let i = 0; i < out.length; i++) {
    const edge = Math.min(1, i / fade, (out.length - 1 - i) / fade);
    out[i] = Math.round(Math.max(-1, Math.min(1, x[start + i]! * gain * edge)) * 32767);
  }
  return out;
}

function main() {
  const tmp = mkdtempSync(path.join(tmpdir(), "captcha-clips-"));
  try {
    // Letter names do not depend on case, so one name clip serves "A" and "a".
    const names = new Map<string, string>();
    for (const char of ALPHABET) names.set(clipNames(char)![1], char.toUpperCase());
    let total = 0;
    for (const locale of Object.keys(voices) as Locale[]) {
      const dir = path.join(outRoot, locale);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const clips: Array<[name: string, text: string]> = [...Object.entries(prompts[locale]), ...names];
      for (const [name, text] of clips) {
        const wav = encodeWav({ sampleRate: TARGET_RATE, samples: trimAndNormalise(speak(voices[locale], text, tmp), TARGET_RATE) });
        writeFileSync(path.join(dir, `${name}.wav`), wav);
        total += wav.length;
        console.log(`${locale}/${name}.wav  ${(wav.length / 1024).toFixed(1)} KiB  "${text}"`);
      }
    }
    console.log(`total ${(total / 1024).toFixed(0)} KiB`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main();
