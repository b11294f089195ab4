// Speaks a CAPTCHA answer by stringing together the committed espeak-ng clips (kind + name per character), read twice, as one WAV.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AGAIN_CLIP, clipNames, INTRO_CLIP } from "./alphabet";
import { between, type Random } from "./render-random";
import { encodeWav, decodeWav, type Pcm } from "./wav";

export type AudioLocale = "nl" | "en";

/** Clips are read from the source tree (the app runs from the project root), once per process. */
const clipsDir = path.join(process.cwd(), "lib", "captcha", "clips");
const cache = new Map<string, Promise<Pcm>>();

function loadClip(locale: AudioLocale, name: string): Promise<Pcm> {
  const key = `${locale}/${name}`;
  let clip = cache.get(key);
  if (!clip) {
    clip = readFile(path.join(clipsDir, locale, `${name}.wav`)).then(decodeWav);
    clip.catch(() => cache.delete(key));
    cache.set(key, clip);
  }
  return clip;
}

/** A growable sample buffer, so assembling half a minute of audio does not go through a JavaScript array. */
class Track {
  private data = new Float32Array(1 << 16);
  length = 0;
  constructor(readonly sampleRate: number) {}

  private reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const bigger = new Float32Array(Math.max(this.data.length * 2, this.length + extra));
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  /** Appends a clip slightly faster or slower (linear interpolation) and louder or softer, so no two readings are sample-identical. */
  clip(clip: Pcm, random: Random): void {
    const rate = between(random, 0.95, 1.05);
    const gain = between(random, 0.8, 1);
    const src = clip.samples;
    this.reserve(Math.ceil(src.length / rate) + 1);
    for (let t = 0; t < src.length - 1; t += rate) {
      const i = Math.floor(t);
      const f = t - i;
      this.data[this.length++] = (src[i]! * (1 - f) + src[i + 1]! * f) * gain;
    }
  }

  silence(seconds: number): void {
    const n = Math.round(seconds * this.sampleRate);
    this.reserve(n);
    this.data.fill(0, this.length, this.length + n);
    this.length += n;
  }

  /** 16-bit samples with a faint, smoothed noise floor (about -45 dBFS) so silences and clips differ in every rendering. */
  toPcm(random: Random): Pcm {
    const samples = new Int16Array(this.length);
    let noise = 0;
    for (let i = 0; i < this.length; i++) {
      noise = 0.7 * noise + 0.3 * between(random, -180, 180);
      samples[i] = Math.max(-32768, Math.min(32767, Math.round(this.data[i]! + noise)));
    }
    return { sampleRate: this.sampleRate, samples };
  }
}

/**
 * The answer spoken character by character with its case ("hoofdletter A", "kleine letter a", "cijfer 7"),
 * introduced and then repeated once, with slightly random pauses and a faint noise floor.
 * Characters without a clip (only possible with a CAPTCHA_TEST_ANSWER outside the alphabet) are skipped.
 */
export async function renderCaptchaAudio(text: string, locale: AudioLocale, random: Random): Promise<Buffer> {
  const names = [...text].map((c) => clipNames(c)).filter((n) => n !== undefined);
  const [intro, again, ...chars] = await Promise.all([
    loadClip(locale, INTRO_CLIP),
    loadClip(locale, AGAIN_CLIP),
    ...names.map(async ([kind, name]) => [await loadClip(locale, kind), await loadClip(locale, name)] as const),
  ]);
  const track = new Track(intro!.sampleRate);
  track.silence(0.3);
  for (const [prompt, pause] of [
    [intro!, 0.6],
    [again!, 0.5],
  ] as const) {
    track.clip(prompt, random);
    track.silence(pause);
    for (const [kind, name] of chars) {
      track.clip(kind, random);
      track.silence(between(random, 0.04, 0.12));
      track.clip(name, random);
      track.silence(between(random, 0.45, 0.7));
    }
    track.silence(0.6);
  }
  return encodeWav(track.toPcm(random));
}
