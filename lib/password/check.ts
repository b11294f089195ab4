// The one check every place that sets a password runs: the named rules, then "can people guess it?", then the near-miss
// and reuse rules — the costly Argon2 history comparison last, so a refused password costs no Argon2 work.
import "server-only";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { commonLookup, loadDictionary, oneEditApart, strengthScore } from "./dictionary";
import { bannedTerms, coreCandidates, fold, guessableByTerms, termsOf } from "./guessable";
import { matchesAny, recentHistory } from "./history";
import { checkPasswordRules, type PasswordRule } from "./policy";
import { skeletonHash } from "./skeleton";

/** Whose password it is: the names it must not be built from, and (for an existing account) its history. */
export type PasswordOwner = {
  /** The account's id in the users table: its history is checked. Null for a user that does not exist yet. */
  id: string | null;
  /** The user ID (e-mail address): its local part's words count as the user's own ("jan", "jansen"). */
  email?: string;
  firstName?: string;
  lastName?: string;
};

export type NewPassword = {
  password: string;
  /** The confirmation field; left out where there is none (the operator CLI). */
  confirmation?: string;
  owner: PasswordOwner;
  /** Earlier passwords to compare with (default PASSWORD_HISTORY); 0 skips the history and near-miss rules. */
  historyDepth?: number;
};

/** Organisation terms: ORG_NAME's words, ORG_DOMAIN without its top-level domain, and PASSWORD_BANNED_WORDS. */
export function organisationTerms(config = getConfig()): string[] {
  const domain = config.orgDomain.split(".").slice(0, -1).join(" ");
  return [config.orgName, domain, ...config.password.bannedWords];
}

/** The owner's own words: first and last name, and the words of the user ID's local part. */
function ownerWords(owner: PasswordOwner): string[] {
  return [owner.firstName ?? "", owner.lastName ?? "", (owner.email ?? "").split("@")[0]!];
}

/**
 * Which guessability rules a password breaks, without the database: built from banned terms (organisation, own names,
 * season or month, a common password) with too little else (under 5 points), equal or one typo away from a common
 * password, and — only when none of those named the problem — a strength estimate under PASSWORD_MIN_SCORE ("weak").
 */
export async function guessabilityRules(password: string, owner: PasswordOwner, config = getConfig()): Promise<PasswordRule[]> {
  const d = await loadDictionary();
  const terms = bannedTerms({ orgTerms: organisationTerms(config), names: ownerWords(owner) });
  const broken = new Set<PasswordRule>(guessableByTerms(password, terms, commonLookup(d)));
  const whole = fold(password);
  const cores = coreCandidates(password);
  if (d.common.has(whole) || cores.some((c) => d.common.has(c) || d.typoTerms.some((t) => oneEditApart(c, t)))) broken.add("common");
  // The most specific reason is the one that helps: "a season with a year" says more than "a common password".
  if (broken.size > 1) broken.delete("common");
  if (broken.size) return [...broken];
  const userInputs = [...organisationTerms(config), ...ownerWords(owner)].flatMap(termsOf);
  if ((await strengthScore(password, userInputs)) < config.password.minScore) return ["weak"];
  return [];
}

/**
 * Every rule a new password breaks, each named (an empty list means it may be set):
 * 1. the named rules (length, upper case, digit, last name, confirmation);
 * 2. guessability (common, organisation, personal, seasonal, weak), once length, upper case and digit are right;
 * 3. near-miss of an earlier password ("previous", by keyed skeleton hashes: no Argon2);
 * 4. reuse ("history", Argon2 against the history) — only when nothing else is wrong, or to tell an exact reuse from a
 *    near-miss by verifying just the rows whose skeleton matched.
 * This is the function the wizard's password step and the operator CLI call.
 */
export async function checkNewPassword(db: Db | Tx, input: NewPassword, config = getConfig()): Promise<PasswordRule[]> {
  const { password, owner } = input;
  const broken = checkPasswordRules(password, { lastName: owner.lastName, confirmation: input.confirmation });
  // Guessability is judged once the composition is right: "kort" is too short, not also "a common password".
  if (!broken.some((r) => r === "length" || r === "maxLength" || r === "uppercase" || r === "digit")) {
    // A password with the last name in it is weak and personal for that reason: the last-name rule already says so.
    const guess = await guessabilityRules(password, owner, config);
    broken.push(...guess.filter((r) => !(broken.includes("lastName") && (r === "personal" || r === "weak"))));
  }
  if (!owner.id) return broken;
  return [...broken, ...(await reuseRules(db, owner.id, password, { depth: input.historyDepth, full: broken.length === 0 }, config))];
}

/**
 * The reuse rules over an account's history (users table), from one query of its last `depth` rows: a near-miss of an
 * earlier password ("previous", by keyed skeleton hashes, Argon2 only for the rows whose skeleton matched) or that
 * password itself ("history"); the Argon2 comparison with the whole history only when `full` (nothing else is wrong),
 * stopped at the first match. The builtin account store enforces these when it sets a password.
 */
export async function reuseRules(
  db: Db | Tx,
  accountId: string,
  password: string,
  opts: { depth?: number; full: boolean },
  config = getConfig(),
): Promise<PasswordRule[]> {
  const depth = opts.depth ?? config.recovery.passwordHistory;
  if (depth <= 0) return [];
  const recent = await recentHistory(db, accountId, depth);
  if (!recent.length) return [];
  const skeleton = skeletonHash(accountId, password);
  const nearMisses = skeleton ? recent.filter((r) => r.skeletonHash === skeleton).map((r) => r.passwordHash) : [];
  if (nearMisses.length) return [(await matchesAny(nearMisses, password)) ? "history" : "previous"];
  return opts.full &&
    (await matchesAny(
      recent.map((r) => r.passwordHash),
      password,
    ))
    ? ["history"]
    : [];
}

/** A history row for a password just set: its Argon2 hash and its skeleton's keyed hash. */
export function historyEntry(accountId: string, password: string, passwordHash: string, createdAt?: Date) {
  return { userId: accountId, passwordHash, skeletonHash: skeletonHash(accountId, password), ...(createdAt ? { createdAt } : {}) };
}
