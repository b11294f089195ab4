// How an AD reset keeps the password history: with the policy-hints control where the DC lists one in its rootDSE,
// else as AD_HISTORY_ON_RESET says (a two-step reset, or one plain reset that skips the history).
import type { DirectoryConfig } from "@/lib/config";
import { POLICY_HINTS } from "./requests";

export type AdResetMethod =
  /** One admin reset carrying the control: the DC checks the history itself. */
  | { kind: "policy-hints"; oid: (typeof POLICY_HINTS)[number] }
  /** A reset to a random temporary password, then a change to the new one as the user (a change is checked). */
  | { kind: "two-step" }
  /** One admin reset, history not checked (AD_HISTORY_ON_RESET=off). */
  | { kind: "plain" };

/** The newer control first; AD_HISTORY_ON_RESET only decides where the DC lists neither (the control is always better). */
export function adResetMethod(supportedControls: readonly string[], historyOnReset: DirectoryConfig["adHistoryOnReset"]): AdResetMethod {
  const oid = POLICY_HINTS.find((hint) => supportedControls.includes(hint));
  if (oid) return { kind: "policy-hints", oid };
  return historyOnReset === "two-step" ? { kind: "two-step" } : { kind: "plain" };
}
