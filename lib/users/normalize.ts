// Canonical forms of user input: the user ID key (one account per spelling) and Dutch-friendly mobile numbers.
import parsePhoneNumber from "libphonenumber-js/max";

/** Trimmed, NFKC-normalised, lower-cased: `Jan.Jansen@x` and `jan.jansen@x ` are one account. */
export function userIdKey(typed: string): string {
  return typed.normalize("NFKC").trim().toLowerCase();
}

export type PhoneParse = { ok: true; e164: string; isMobile: boolean; country: string | undefined } | { ok: false };

/** Parses 06-12345678, +31 6 1234 5678, 0031612345678 … (default region NL) to E.164. */
export function parsePhone(typed: string, defaultCountry: "NL" = "NL"): PhoneParse {
  const cleaned = typed.trim().replace(/^00/, "+");
  try {
    const phone = parsePhoneNumber(cleaned, defaultCountry);
    if (!phone || !phone.isValid()) return { ok: false };
    const type = phone.getType();
    return { ok: true, e164: phone.number, isMobile: type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE", country: phone.country };
  } catch {
    return { ok: false };
  }
}

export type MobileCheck =
  { ok: true; e164: string } | { ok: false; problem: "invalid" | "not-mobile" | "country-not-allowed"; country?: string };

/**
 * A number codes may go to: valid, a mobile (or a number that may be one, as in the US), in an allowed country. Checked
 * when a number is registered and again before every send, so a number stored earlier cannot be pumped either.
 */
export function checkMobileNumber(typed: string, allowedCountries: readonly string[]): MobileCheck {
  const parsed = parsePhone(typed);
  if (!parsed.ok) return { ok: false, problem: "invalid" };
  if (!parsed.isMobile) return { ok: false, problem: "not-mobile" };
  if (!parsed.country || !allowedCountries.includes(parsed.country))
    return { ok: false, problem: "country-not-allowed", country: parsed.country };
  return { ok: true, e164: parsed.e164 };
}
