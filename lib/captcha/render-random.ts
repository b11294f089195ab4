// Deterministic pseudo-random numbers for drawing a challenge, seeded from its secret nonce so every fetch of one challenge looks the same.
import { createHash } from "node:crypto";

/** Returns numbers in [0, 1). */
export type Random = () => number;

/**
 * sfc32 seeded with SHA-256(seed): fast, well distributed, and reproducible. Used only for jitter and noise;
 * the answer and the nonce come from the CSPRNG. A fixed rendering per challenge means fetching the same
 * image or audio many times gives an attacker nothing to average away.
 */
export function seededRandom(seed: string): Random {
  const h = createHash("sha256").update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // discard the first outputs, as sfc32's authors advise
  return next;
}

/** A uniform number in [min, max). */
export function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}

/** One of the items, uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
