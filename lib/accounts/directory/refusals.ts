// A directory's refusal of a new password, named with the portal's password rules: never a raw LDAP string for the
// user. Samba says why in its message; Windows AD only says 0000052D, so the reason is worked out from the policy.
import { codePointLength, containsLastName, MIN_LENGTH, type PasswordRule } from "@/lib/password/policy";
import { PasswordPolicyError } from "ldapts";

/** Too short for the directory: the portal's own "length" rule when below its minimum too, else the directory's. */
function tooShort(password: string): PasswordRule {
  return codePointLength(password) < MIN_LENGTH ? "length" : "directoryLength";
}

export type AdAccountNames = { sAMAccountName: string; displayName: string; lastName: string };

/**
 * AD's complexity rule ("Password must meet complexity requirements"): characters of three of the five kinds, and
 * neither the account name nor any 3+ character part of the display name in it (case-insensitive).
 */
export function meetsAdComplexity(password: string, names: AdAccountNames): boolean {
  const kinds = [/\p{Lu}/u, /\p{Ll}/u, /\p{Nd}/u, /[^\p{L}\p{N}]/u, /[\p{Lo}\p{Lt}\p{Lm}]/u].filter((kind) => kind.test(password)).length;
  if (kinds < 3) return false;
  const lower = password.toLowerCase();
  if (names.sAMAccountName.length >= 3 && lower.includes(names.sAMAccountName.toLowerCase())) return false;
  return !names.displayName.split(/[,.\-_\s#]+/).some((token) => token.length >= 3 && lower.includes(token.toLowerCase()));
}

export type AdPolicy = { minLength: number; complexity: boolean };

/**
 * The rules an AD refusal (constraint violation 0000052D) broke. Samba names the reason in its message; Windows does
 * not, so then the password is measured against the domain's policy, and what remains is the history.
 */
export function adPasswordRefusal(message: string, password: string, policy: AdPolicy, names: AdAccountNames): PasswordRule[] {
  const text = message.toLowerCase();
  const complexity = (): PasswordRule => (containsLastName(password, names.lastName) ? "lastName" : "complexity");
  if (text.includes("too short")) return [tooShort(password)];
  if (text.includes("complexity")) return [complexity()];
  if (text.includes("history") || text.includes("already used")) return ["history"];
  if (text.includes("too young")) return ["minAge"];
  if (!text.includes("0000052d")) return ["directoryPolicy"];
  if (codePointLength(password) < policy.minLength) return [tooShort(password)];
  if (policy.complexity && !meetsAdComplexity(password, names)) return [complexity()];
  return ["history"];
}

/**
 * The rule a ppolicy refusal broke (its response control's error), or "service" when the refusal is about the
 * service account's change itself (pwdAllowUserChange, pwdSafeModify): an operator's problem, not the user's password.
 */
export function ppolicyPasswordRefusal(error: number | undefined, password: string): PasswordRule | "service" {
  switch (error) {
    case PasswordPolicyError.PasswordTooShort:
      return tooShort(password);
    case PasswordPolicyError.InsufficientPasswordQuality:
      return "complexity";
    case PasswordPolicyError.PasswordTooYoung:
      return "minAge";
    case PasswordPolicyError.PasswordInHistory:
      return "history";
    case PasswordPolicyError.PasswordModNotAllowed:
    case PasswordPolicyError.MustSupplyOldPassword:
      return "service";
    default:
      return "directoryPolicy";
  }
}
