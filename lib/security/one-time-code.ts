// Six-digit one-time codes: drawn from a CSPRNG, stored only as a keyed hash bound to what they unlock, compared in constant time.
import "server-only";
import { randomInt, timingSafeEqual } from "node:crypto";
import { keyedHash } from "./keyed-hash";

/** 000000–999999, leading zeros kept. */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** The stored form of a code: only valid for this binding (flow or sign-in id) and purpose. */
export function codeHash(bindTo: string, purpose: string, code: string): string {
  return keyedHash("verification-code", `${bindTo}:${purpose}:${code}`);
}

/** Whether a typed code is the stored one, in constant time. */
export function codeMatches(stored: string | null, bindTo: string, purpose: string, typed: string): boolean {
  if (!stored) return false;
  const a = Buffer.from(codeHash(bindTo, purpose, typed));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}
