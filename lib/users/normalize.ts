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
