// Canaries: every password, phone number and code of an e2e run turned into a pattern that finds it in any text — as
// typed, spaced, dashed, JSON-escaped or read out digit by digit — without tripping over hex hashes and uuids.
import parsePhoneNumber from "libphonenumber-js";

export type Canary = { label: string; pattern: RegExp };
export type Hit = { canary: Canary; index: number; length: number };

// Left: no letter or digit before (so a code inside a hex hash or a longer number is not a hit); right: the same.
const APART_BEFORE = "(?<![0-9A-Za-z])";
const APART_AFTER = "(?![0-9A-Za-z])";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Passwords shorter than this are ordinary words ("kort") and would be found by chance; they are not canaries. */
export const MIN_PASSWORD_LENGTH = 8;

export function passwordCanary(label: string, password: string): Canary | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return null;
  // The audit rows are searched as jsonb text, which escapes quotes and backslashes.
  const forms = new Set([password, JSON.stringify(password).slice(1, -1)]);
  return { label, pattern: new RegExp([...forms].map(escape).join("|")) };
}

/**
 * A phone number in any writing: its national significant number (612345678 for +31 6 12345678) with any spaces,
 * dashes, dots or brackets between the digits, after anything that is not a letter (06…, +31…, 0031…).
 */
export function phoneCanary(label: string, typed: string): Canary | null {
  const nsn = nationalNumber(typed);
  if (!nsn || nsn.length < 6) return null;
  return { label, pattern: new RegExp(`(?<![A-Za-z])${nsn.split("").join("[\\s().-]*")}${APART_AFTER}`) };
}

function nationalNumber(typed: string): string | null {
  try {
    const phone = parsePhoneNumber(typed.trim().replace(/^00/, "+"), "NL");
    if (phone) return phone.nationalNumber;
  } catch {
    /* not a phone number: fall back to its digits */
  }
  const digits = typed.replace(/\D/g, "");
  return digits || null;
}

/** A six-digit code, also spaced or comma-separated as a call reads it ("1, 2, 3, 4, 5, 6"), standing apart. */
export function codeCanary(label: string, code: string): Canary | null {
  if (!/^\d{6}$/.test(code)) return null;
  return { label, pattern: new RegExp(`${APART_BEFORE}${code.split("").join("[\\s,]*")}${APART_AFTER}`) };
}

/** The codes in a message body: six digits together (SMS) or read one by one (call). */
export function codesIn(body: string): string[] {
  return [...body.matchAll(/(?<!\d)\d(?:(?:, )?\d){5}(?!\d)/g)].map((m) => m[0].replace(/\D/g, ""));
}

/** One canary per pattern (many users share a password), the first label kept. */
export function distinct(canaries: (Canary | null)[]): Canary[] {
  const seen = new Map<string, Canary>();
  for (const c of canaries) if (c && !seen.has(c.pattern.source)) seen.set(c.pattern.source, c);
  return [...seen.values()];
}

/** The first canary found in text, if any. */
export function findCanary(canaries: Canary[], text: string): Hit | null {
  for (const canary of canaries) {
    const m = canary.pattern.exec(text);
    if (m) return { canary, index: m.index, length: m[0].length };
  }
  return null;
}

/** Where a hit sits, with the secret itself blanked out, for the report. */
export function around(text: string, hit: Hit, width = 40): string {
  const before = text.slice(Math.max(0, hit.index - width), hit.index);
  const after = text.slice(hit.index + hit.length, hit.index + hit.length + width);
  return `${before}[${hit.canary.label.split(" ")[0]}]${after}`.replace(/\s+/g, " ");
}
