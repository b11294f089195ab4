// The CAPTCHA's characters: an alphabet without look-alikes (on screen and, for m/n, in speech) and a CSPRNG answer drawn from it.
import { randomInt } from "node:crypto";

/**
 * Upper and lower case only where their shapes differ (A/a, D/d, E/e, F/f, H/h, M/m, R/r, T/t),
 * L only as a capital (l looks like 1 and I), and the digits 3, 4, 7.
 * Left out: 0/O/o/Q, 1/l/I/i/J/j, 5/S/s, 2/Z/z, 8/B, 6/G/b, 9/g/q, letters whose cases look alike
 * (C K O P S U V W X Y Z), and N/n because "en" and "em" are hard to tell apart in the audio.
 */
export const ALPHABET = "AaDdEeFfHhLMmRrTt347";
export const ANSWER_LENGTH = 6;

/** A fresh answer: ANSWER_LENGTH characters, each drawn uniformly with crypto.randomInt. */
export function randomAnswer(): string {
  let answer = "";
  for (let i = 0; i < ANSWER_LENGTH; i++) answer += ALPHABET[randomInt(ALPHABET.length)];
  return answer;
}

/** The two audio clips that speak one character: its kind ("hoofdletter", "kleine letter", "cijfer") and its name. */
export function clipNames(char: string): [kind: string, name: string] | undefined {
  if (char.length !== 1 || !ALPHABET.includes(char)) return undefined;
  const kind = /[0-9]/.test(char) ? "digit" : char === char.toUpperCase() ? "upper" : "lower";
  // Clip files are named in lower case so they stay distinct on case-insensitive file systems.
  return [kind, `say-${char.toLowerCase()}`];
}

/** Clips that are not a character: spoken before the first and the second reading. */
export const INTRO_CLIP = "intro";
export const AGAIN_CLIP = "again";
