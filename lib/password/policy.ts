// Pure password rules shared by every place that sets a password; each broken rule is reported by name.

export type PasswordRule =
  | "length"
  | "maxLength"
  | "uppercase"
  | "digit"
  | "lastName"
  | "confirmation"
  /** Guessable (lib/password/check.ts): built from a common password, the organisation, the user's names, a season or month. */
  | "common"
  | "organisation"
  | "personal"
  | "seasonal"
  /** The strength estimate is under PASSWORD_MIN_SCORE. */
  | "weak"
  /** Only digits, symbols or case differ from an earlier password. */
  | "previous"
  | "history"
  // Refusals only a directory (AD, OpenLDAP ppolicy) gives, mapped in lib/accounts/directory/refusals.ts:
  /** Long enough for the portal, too short for the directory's own minimum length. */
  | "directoryLength"
  /** AD's complexity rule (three kinds of characters, no account or display name) or a ppolicy quality check. */
  | "complexity"
  /** Changed too recently: the directory's minimum password age. */
  | "minAge"
  /** Any other refusal by the directory's password policy. */
  | "directoryPolicy";

/** The guessability rules, which the checklist shows as one line ("previous" goes with "history"). */
export const GUESS_RULES = ["common", "organisation", "personal", "seasonal", "weak"] as const satisfies readonly PasswordRule[];

export const MIN_LENGTH = 8;
export const MAX_LENGTH = 128;

/** Dutch (and a few neighbouring) name particles that are not checked on their own. */
const TUSSENVOEGSELS = new Set([
  "van",
  "der",
  "den",
  "de",
  "het",
  "ter",
  "ten",
  "te",
  "in",
  "op",
  "aan",
  "bij",
  "uit",
  "voor",
  "onder",
  "over",
  "von",
  "zu",
  "la",
  "le",
  "du",
  "da",
  "di",
  "del",
  "des",
  "dos",
  "el",
  "vande",
  "vander",
  "vanden",
  "t",
  "s",
  "d",
]);

function fold(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The parts of a last name a password must not contain: words of 3+ letters that are not tussenvoegsels. */
export function lastNameParts(lastName: string): string[] {
  return fold(lastName)
    .split(/[^\p{L}]+/u)
    .filter((p) => p.length >= 3 && !TUSSENVOEGSELS.has(p));
}

/** Whether the password contains a part of the last name (case and accents ignored). */
export function containsLastName(password: string, lastName: string): boolean {
  const folded = fold(password.normalize("NFKC"));
  return lastNameParts(lastName).some((part) => folded.includes(part));
}

export function codePointLength(s: string): number {
  return [...s.normalize("NFKC")].length;
}

/** Rules that can be checked without the database (everything but history). */
export function checkPasswordRules(password: string, opts: { lastName?: string; confirmation?: string }): PasswordRule[] {
  const broken: PasswordRule[] = [];
  const normalized = password.normalize("NFKC");
  const length = codePointLength(normalized);
  if (length < MIN_LENGTH) broken.push("length");
  if (length > MAX_LENGTH) broken.push("maxLength");
  if (!/\p{Lu}/u.test(normalized)) broken.push("uppercase");
  if (!/\p{Nd}/u.test(normalized)) broken.push("digit");
  if (opts.lastName && containsLastName(normalized, opts.lastName)) broken.push("lastName");
  if (opts.confirmation !== undefined && opts.confirmation.normalize("NFKC") !== normalized) broken.push("confirmation");
  return broken;
}
