// Pure "can people guess it?" checks shared by server and browser: Microsoft-style normalisation, then banned terms
// (organisation, the user's own names, seasons and months, and on the server common passwords) scored by points.

/** Rules about guessability; the server adds "common" matches from the dictionary and the strength estimate ("weak"). */
export type GuessRule = "common" | "organisation" | "personal" | "seasonal";

/** What a banned term is, which decides the rule a match names. */
export type TermCategory = GuessRule;

/** A term list: normalised term → category. Terms are letters only, at least 3 long. */
export type Terms = ReadonlyMap<string, TermCategory>;

/**
 * A password whose core (see coreCandidates) scores fewer points than this is refused: every banned term found counts
 * one point, every other character one point each — Microsoft Entra's banned-password scoring, applied to the core.
 */
export const MIN_POINTS = 5;

/** Dutch and English seasons and months (and their usual short forms): "Zomer2026!" is the classic guess. */
export const SEASONS_AND_MONTHS = [
  "lente",
  "voorjaar",
  "zomer",
  "herfst",
  "najaar",
  "winter",
  "spring",
  "summer",
  "autumn",
  "fall",
  "januari",
  "februari",
  "maart",
  "april",
  "mei",
  "juni",
  "juli",
  "augustus",
  "september",
  "oktober",
  "november",
  "december",
  "january",
  "february",
  "march",
  "may",
  "june",
  "july",
  "august",
  "october",
  "jan",
  "feb",
  "mrt",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "okt",
  "oct",
  "nov",
  "dec",
] as const;

/** Look-alike characters people swap in: 0→o, 1→l or i, 3→e, 4/@→a, 5/$→s, 7→t. */
const SUBSTITUTIONS: Record<string, string> = { "0": "o", "3": "e", "4": "a", "@": "a", "5": "s", $: "s", "7": "t" };

/** Lower case without accents, after NFKC (so "É" and "e\u0301" are both "e"). */
export function fold(s: string): string {
  return s.normalize("NFKC").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Every reading of the look-alikes: "1" is tried both as "l" and as "i". */
function unLeet(s: string): string[] {
  const base = [...s].map((c) => SUBSTITUTIONS[c] ?? c).join("");
  return base.includes("1") ? [base.replaceAll("1", "l"), base.replaceAll("1", "i")] : [base];
}

const EDGES = /^[^\p{L}]+|[^\p{L}]+$/gu;

/**
 * The parts of a password that say what it is: folded, look-alikes replaced, and digits and symbols at either end
 * ignored ("W3lkom01!" → "welkom"). Both orders are tried — ends first (so trailing "01" stays digits) and look-alikes
 * first (so "P@ssw0rd" keeps its "a" and "o") — and "1" both ways.
 */
export function coreCandidates(password: string): string[] {
  const folded = fold(password);
  const endsFirst = unLeet(folded.replace(EDGES, ""));
  const leetFirst = unLeet(folded).map((s) => s.replace(EDGES, ""));
  return [...new Set([...endsFirst, ...leetFirst])].filter((c) => c.length > 0);
}

/** A name or word turned into terms: folded, split at anything that is not a letter, parts of 3+ letters. */
export function termsOf(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}]+/u)
    .filter((p) => p.length >= 3);
}

export type TermScore = { points: number; found: Set<TermCategory> };

/**
 * Scores a core against terms: at each position the longest term starting there is taken (one point) and skipped,
 * any other character is one point. `lookup` answers for terms not in `terms` (the server's big dictionary).
 */
export function scoreCore(core: string, terms: Terms, lookup?: (candidate: string) => TermCategory | undefined, maxTerm = 32): TermScore {
  const chars = [...core];
  const found = new Set<TermCategory>();
  let points = 0;
  for (let i = 0; i < chars.length;) {
    let best = 0;
    let category: TermCategory | undefined;
    for (let len = Math.min(maxTerm, chars.length - i); len >= 3; len--) {
      const candidate = chars.slice(i, i + len).join("");
      const hit = terms.get(candidate) ?? lookup?.(candidate);
      if (hit) {
        best = len;
        category = hit;
        break;
      }
    }
    points += 1;
    if (category) found.add(category);
    i += best || 1;
  }
  return { points, found };
}

/** The terms a password must not be built from, for one user and organisation. */
export function bannedTerms(input: { orgTerms?: readonly string[]; names?: readonly string[] }): Map<string, TermCategory> {
  const terms = new Map<string, TermCategory>();
  for (const word of SEASONS_AND_MONTHS) terms.set(word, "seasonal");
  for (const text of input.orgTerms ?? []) for (const t of termsOf(text)) terms.set(t, "organisation");
  for (const text of input.names ?? []) for (const t of termsOf(text)) terms.set(t, "personal");
  return terms;
}

/** Which guessability rules a password breaks, judged by banned terms only (no dictionary): what the browser can check. */
export function guessableByTerms(password: string, terms: Terms, lookup?: (candidate: string) => TermCategory | undefined): GuessRule[] {
  const broken = new Set<GuessRule>();
  for (const core of coreCandidates(password)) {
    const { points, found } = scoreCore(core, terms, lookup);
    if (points < MIN_POINTS) for (const category of found) broken.add(category);
  }
  return ORDER.filter((r) => broken.has(r));
}

const ORDER: GuessRule[] = ["personal", "organisation", "seasonal", "common"];
