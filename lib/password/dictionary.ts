// The server's password dictionaries: the common-password list and the zxcvbn-ts strength estimate (with the common and
// Dutch language packs), loaded on first use — about 40 MB that the browser never downloads and most processes never load.
import "server-only";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import type { TermCategory } from "./guessable";

/** zxcvbn scores 0–4; 3 is "safely unguessable: moderate protection from an offline slow-hash attack". */
export type StrengthScore = 0 | 1 | 2 | 3 | 4;

type Dictionary = {
  /** Every common password, lower case, as listed (digits and symbols kept): "password1", "welkom01", "1qaz2wsx". */
  common: ReadonlySet<string>;
  /** Letters-only common passwords of 4+ letters: the terms a password must not be built from ("welkom", "qwerty"). */
  commonTerms: ReadonlySet<string>;
  /** Letters-only common passwords of 6+ letters, for the one-typo check ("wachtwoorrd"). */
  typoTerms: readonly string[];
  zxcvbn: ZxcvbnFactory;
};

let loading: Promise<Dictionary> | undefined;

export function loadDictionary(): Promise<Dictionary> {
  loading ??= (async () => {
    const [{ ZxcvbnFactory }, common, dutch] = await Promise.all([
      import("@zxcvbn-ts/core"),
      import("@zxcvbn-ts/language-common"),
      import("@zxcvbn-ts/language-nl-be"),
    ]);
    const list = common.dictionary["passwords-common"].map((p) => p.toLowerCase());
    const lettersOnly = list.filter((p) => /^\p{L}+$/u.test(p));
    return {
      common: new Set(list),
      commonTerms: new Set(lettersOnly.filter((p) => p.length >= 4)),
      typoTerms: lettersOnly.filter((p) => p.length >= 6),
      // Passwords are at most 128 code points; zxcvbn's cost grows with length, so it never sees more.
      zxcvbn: new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...dutch.dictionary },
        graphs: common.adjacencyGraphs,
        maxLength: 128,
      }),
    };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

/** The dictionary as a term lookup for guessable.ts. */
export function commonLookup(d: Dictionary): (candidate: string) => TermCategory | undefined {
  return (candidate) => (d.commonTerms.has(candidate) ? "common" : undefined);
}

/** True when a is b with one letter added, dropped or changed. */
export function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** zxcvbn's guess estimate as a score, with the user's own words (names, user ID, organisation) as extra dictionary. */
export async function strengthScore(password: string, userInputs: string[]): Promise<StrengthScore> {
  const d = await loadDictionary();
  const result = d.zxcvbn.check([...password.normalize("NFKC")].slice(0, 128).join(""), userInputs);
  return result.score as StrengthScore;
}
