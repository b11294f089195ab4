// Speaks a CAPTCHA answer by stringing together the committed espeak-ng clips (kind + name per character), read twice, as
// one WAV — in a voice pitched per challenge, with uneven pauses, over a murmur of reversed speech that fills every
// silence, so cutting at silences and matching pieces against the shipped clips no longer works.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { AGAIN_CLIP, ALPHABET, clipNames, INTRO_CLIP } from "./alphabet";
import { between, pick, type Random } from "./render-random";
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

/** Every clip of a locale (prompts, kinds, names): the material the background murmur is made of. */
function allClipNames(): string[] {
  const names = new Set<string>([INTRO_CLIP, AGAIN_CLIP]);
  for (const c of ALPHABET) for (const n of clipNames(c)!) names.add(n);
  return [...names];
}

/**
 * How the audio is disguised, per challenge (all drawn from the challenge's seeded random):
 * - the voice: every clip resampled by one factor in [0.9, 1.1] (pitch and pace ±10 %, like another speaker), each
 *   clip ±3 % around it, at 80–100 % loudness;
 * - pauses: 40–150 ms between "hoofdletter" and "A", 0.45–0.9 s between characters;
 * - the murmur: three streams of the same voice's clips played backwards (so it has speech's sound but no words to
 *   mishear), each pitched well away from the voice (×0.75–0.85 or ×1.2–1.35), slowly swelling and fading over 1.3–2.7 s,
 *   mixed 5–8 dB below the voice — loud enough to fill every pause, soft enough that the voice stays in front.
 */
export const AUDIO_DISGUISE = {
  voice: [0.9, 1.1],
  clipJitter: 0.03,
  gain: [0.8, 1],
  kindGap: [0.04, 0.15],
  charGap: [0.45, 0.9],
  murmurStreams: 3,
  murmurPitch: [
    [0.75, 0.85],
    [1.2, 1.35],
  ],
  murmurSwell: [1.3, 2.7],
  murmurBelowDb: [5, 8],
} as const;

/** A growable sample buffer, so assembling half a minute of audio does not go through a JavaScript array. */
class Track {
  data = new Float32Array(1 << 16);
  length = 0;
  /** Sum of squares and count of the clip samples written: the voice's loudness while it speaks. */
  energy = 0;
  spoken = 0;
  constructor(readonly sampleRate: number) {}

  private reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const bigger = new Float32Array(Math.max(this.data.length * 2, this.length + extra));
    bigger.set(this.data.subarray(0, this.length));
    this.data = bigger;
  }

  /** Appends a clip resampled by `rate` (linear interpolation; > 1 is higher and faster). */
  clip(clip: Pcm, rate: number, gain: number): void {
    const src = clip.samples;
    const n = src.length;
    this.reserve(Math.ceil(n / rate) + 1);
    for (let t = 0; t < n - 1; t += rate) {
      const i = Math.floor(t);
      const f = t - i;
      const v = (src[i]! * (1 - f) + src[i + 1]! * f) * gain;
      this.data[this.length++] = v;
      this.energy += v * v;
      this.spoken++;
    }
  }

  silence(seconds: number): void {
    const n = Math.round(seconds * this.sampleRate);
    this.reserve(n);
    this.data.fill(0, this.length, this.length + n);
    this.length += n;
  }

  rms(): number {
    return Math.sqrt(this.energy / Math.max(1, this.spoken));
  }
}

/** Adds one stream of murmur to `out`: random clips backwards, pitched away from the voice, slowly swelling and fading. */
function addMurmurStream(out: Float32Array, clips: Pcm[], sampleRate: number, random: Random): void {
  const [low, high] = AUDIO_DISGUISE.murmurPitch;
  const range = random() < 0.5 ? low : high;
  const rate = between(random, range[0], range[1]);
  // Slow swells, so no single loudness threshold separates voice from murmur everywhere (gain set per 64 samples).
  const period = between(random, AUDIO_DISGUISE.murmurSwell[0], AUDIO_DISGUISE.murmurSwell[1]) * sampleRate;
  const phase = between(random, 0, 2 * Math.PI);
  const swell = (i: number) => 0.55 + 0.45 * (0.5 + 0.5 * Math.sin((2 * Math.PI * i) / period + phase));
  let pos = 0;
  let gain = swell(0);
  while (pos < out.length) {
    const src = pick(random, clips).samples;
    const n = src.length;
    const r = rate * between(random, 0.97, 1.03);
    for (let t = 0; t < n - 1 && pos < out.length; t += r, pos++) {
      if ((pos & 63) === 0) gain = swell(pos);
      const i = Math.floor(t);
      const f = t - i;
      out[pos]! += (src[n - 1 - i]! * (1 - f) + src[n - 2 - i]! * f) * gain;
    }
    pos += Math.round(between(random, 0, 0.08) * sampleRate);
  }
}

/**
 * The answer spoken character by character with its case ("hoofdletter A", "kleine letter a", "cijfer 7"), introduced
 * and then repeated once, disguised as AUDIO_DISGUISE says. Characters without a clip (never in a challenge,
 * whose answer comes from the alphabet) are skipped. `spoken` receives the clip names in order (for the test hook).
 */
export async function renderCaptchaAudio(
  text: string,
  locale: AudioLocale,
  random: Random,
  spoken?: string[],
  options: { murmur: boolean } = { murmur: true },
): Promise<Buffer> {
  const names = [...text].map((c) => clipNames(c)).filter((n) => n !== undefined);
  const [intro, again, ...chars] = await Promise.all([
    loadClip(locale, INTRO_CLIP),
    loadClip(locale, AGAIN_CLIP),
    ...names.map(async ([kind, name]) => [await loadClip(locale, kind), await loadClip(locale, name)] as const),
  ]);
  const d = AUDIO_DISGUISE;
  const voice = between(random, d.voice[0], d.voice[1]);
  const rate = () => voice * between(random, 1 - d.clipJitter, 1 + d.clipJitter);
  const gain = () => between(random, d.gain[0], d.gain[1]);
  const track = new Track(intro!.sampleRate);
  track.silence(0.4);
  for (const [prompt, promptName] of [
    [intro!, INTRO_CLIP],
    [again!, AGAIN_CLIP],
  ] as const) {
    track.clip(prompt, rate(), gain());
    spoken?.push(promptName);
    track.silence(between(random, 0.5, 0.8));
    chars.forEach(([kind, name], i) => {
      track.clip(kind, rate(), gain());
      track.silence(between(random, d.kindGap[0], d.kindGap[1]));
      track.clip(name, rate(), gain());
      spoken?.push(...names[i]!);
      track.silence(between(random, d.charGap[0], d.charGap[1]));
    });
    track.silence(0.5);
  }

  const length = track.length;
  const material = await Promise.all(allClipNames().map((n) => loadClip(locale, n)));
  const murmur = new Float32Array(length);
  for (let s = 0; options.murmur && s < d.murmurStreams; s++) addMurmurStream(murmur, material, track.sampleRate, random);
  let murmurEnergy = 0;
  for (let i = 0; i < length; i++) murmurEnergy += murmur[i]! * murmur[i]!;
  const murmurRms = Math.sqrt(murmurEnergy / Math.max(1, length));
  const below = between(random, d.murmurBelowDb[0], d.murmurBelowDb[1]);
  const murmurGain = murmurRms > 0 ? (track.rms() * 10 ** (-below / 20)) / murmurRms : 0;

  const mixed = new Float32Array(length);
  let peak = 1;
  for (let i = 0; i < length; i++) {
    mixed[i] = track.data[i]! + murmur[i]! * murmurGain;
    peak = Math.max(peak, Math.abs(mixed[i]!));
  }
  const scale = Math.min(1, 29_000 / peak);
  const samples = new Int16Array(length);
  for (let i = 0; i < length; i++) samples[i] = Math.round(mixed[i]! * scale);
  // 8-bit: half the bytes, and its quantisation noise (about 48 dB down) is far below the murmur.
  return encodeWav({ sampleRate: track.sampleRate, samples }, 8);
}
