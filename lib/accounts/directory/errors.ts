// What a directory's answer means: connection-level failures (unreachable, timeout, TLS) versus LDAP results, and the
// outcome of binding as a user, from AD's `data` codes and ppolicy's response control.
import { PasswordPolicyError, ResultCodeError } from "ldapts";

/** The LDAP result codes the stores act on (RFC 4511 §4.1.9). */
export const RESULT = {
  timeLimitExceeded: 3,
  strongerAuthRequired: 8,
  noSuchAttribute: 16,
  constraintViolation: 19,
  noSuchObject: 32,
  invalidCredentials: 49,
  insufficientAccess: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
} as const;

/** The LDAP result code of an error, or undefined when the error is not an LDAP result (a socket, TLS or timeout error). */
export function resultCode(error: unknown): number | undefined {
  return error instanceof ResultCodeError ? error.code : undefined;
}

/** The server's diagnostic text without ldapts's " Code: 0x…" suffix. */
export function diagnostic(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*Code: 0x[0-9a-f]+$/i, "");
}

/**
 * True when the error says nothing was answered: the server is unreachable, slow, closed the connection, its
 * certificate was refused, or it is busy/unavailable. These fail over to the next URL and become AccountStoreUnavailable.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = resultCode(error);
  if (code !== undefined) return code === RESULT.busy || code === RESULT.unavailable;
  if (!(error instanceof Error)) return false;
  if (typeof (error as NodeJS.ErrnoException).code === "string") return true; // ECONNREFUSED, ETIMEDOUT, TLS codes …
  return /timeout|timed out|socket|connect|closed|TLS|certificate|ECONN|EPIPE/i.test(error.message);
}

export type BindOutcome = "ok" | "wrong" | "locked" | "must-change" | "expired" | "disabled";

/** AD's reason for a refused bind: the Win32 code after "data" in the diagnostic message (e.g. `data 52e`). */
export function adDataCode(message: string): string | null {
  return /\bdata ([0-9a-f]{3,8})\b/i.exec(message)?.[1]?.toLowerCase() ?? null;
}

/**
 * What a refused AD bind means. 773 and 532 come only with the right password; 775 comes whatever the password;
 * 533 (disabled) and 701 (account expired) make the account behave like an unknown one.
 */
export function adBindOutcome(dataCode: string | null): Exclude<BindOutcome, "ok"> {
  switch (dataCode) {
    case "775":
      return "locked";
    case "773":
      return "must-change";
    case "532":
      return "expired";
    case "533":
    case "701":
      return "disabled";
    default:
      // 52e wrong password, 525 no such user, 530/531 not at this time / from this workstation, anything else.
      return "wrong";
  }
}

/** What a bind as the user means under ppolicy (draft-behera-ldap-password-policy §6.2): `bound` whether the bind succeeded, `error` the control's error. */
export function ppolicyBindOutcome(bound: boolean, error: number | undefined): BindOutcome {
  if (bound) return error === PasswordPolicyError.ChangeAfterReset ? "must-change" : "ok";
  if (error === PasswordPolicyError.AccountLocked) return "locked";
  // ppolicy reports an expired password only after checking that it is the right one.
  if (error === PasswordPolicyError.PasswordExpired) return "expired";
  return "wrong";
}
