// Near-misses of earlier passwords without keeping them: a password's "skeleton" (its letters, look-alikes read as
// letters, case, digits and symbols dropped) stored only as a keyed hash next to its Argon2 hash in the history.
import "server-only";
import { keyedHash } from "@/lib/security/keyed-hash";
import { fold } from "./guessable";

/** Look-alikes between letters are read as letters ("W4ndel1ng" is "wandeling"); "1" can stand for "i" or "l". */
const LOOK_ALIKES: Record<string, string> = { "0": "o", "1": "l", "3": "e", "4": "a", "@": "a", "5": "s", $: "s", "7": "t" };

/** Skeletons shorter than this say too little (and would be too easy to guess from their hash): not stored, not compared. */
export const MIN_SKELETON = 4;

/**
 * "Herfst-Wandeling-2025", "herfst_wandeling_2026!" and "HERFSTWANDELING7" share the skeleton "herfstwandeling": a new
 * password that changes only digits, symbols or case of an earlier one is a near-miss.
 */
export function passwordSkeleton(password: string): string | null {
  const folded = fold(password).replace(/(?<=\p{L})[0134@5$7]+(?=\p{L})/gu, (m) => [...m].map((c) => LOOK_ALIKES[c] ?? c).join(""));
  // "i", "l" and "1" are one letter in a skeleton, so "K1kker" and "B1auwe" both match their originals.
  const letters = folded.replace(/[^\p{L}]/gu, "").replaceAll("i", "l");
  return [...letters].length >= MIN_SKELETON ? letters : null;
}

/**
 * The stored form: HMAC under HASH_KEY (never in the database), bound to the account so equal skeletons of two users
 * differ. Trade-off: whoever holds both the database and HASH_KEY can test guesses for a skeleton at HMAC speed, which
 * narrows an Argon2 search to the digits, symbols and case; without HASH_KEY the column says nothing.
 */
export function skeletonHash(accountId: string, password: string): string | null {
  const skeleton = passwordSkeleton(password);
  return skeleton === null ? null : keyedHash("password-skeleton", `${accountId}\u0000${skeleton}`);
}
