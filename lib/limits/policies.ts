// Every rate limit the portal keeps, by name: the counter, its window, its maximum and the reason its audit rows give.
// Features share a counter only by naming the same policy here (the portal's and the admin sign-in's per-IP sign-ins),
// never because two string literals happen to match. The wizard and the admin sign-in never share a code counter: what
// anyone can do in the wizard must not keep an administrator out.
import type { AppConfig } from "@/lib/config";
import type { Limit } from "./rate-limit";

/** A limit with the reason that audit rows about it carry. */
export type LimitPolicy = Limit & { reason: string };

/** Codes texted to one administrator per 24 hours, over all sign-in attempts. */
export const ADMIN_CODES_PER_DAY = 20;

/** Wrong admin sign-in codes per administrator per 24 hours (only someone who had the password can make them). */
export const ADMIN_CODE_FAILURES_PER_DAY = 10;

/** Codes sent to new numbers per account per 24 hours ("Mijn herstelgegevens"), over all its number changes. */
export const MOBILE_CHANGES_PER_DAY = 5;

/** Wrong codes per account per 24 hours while changing one's own number (only a signed-in user can make them). */
export const MOBILE_CODE_FAILURES_PER_DAY = 10;

/** Refusals anyone can cause without signing in that are audited per IP and kind per hour (lib/audit/throttled.ts). */
export const REFUSALS_PER_IP_PER_HOUR = 20;

const HOUR = 3_600;
const DAY = 86_400;

type Limits = Pick<AppConfig, "limits">;
type Sms = Pick<AppConfig, "sms">;

export const limits = {
  /** Sign-in attempts from one IP: the portal's sign-in and the admin sign-in count against the same budget. */
  signInPerIp: (c: Limits): LimitPolicy => ({
    name: "sign-in:ip",
    max: c.limits.signInPerIpPerHour,
    windowSeconds: HOUR,
    reason: "sign-in-per-ip",
  }),
  /** Recovery starts per user ID (unknown IDs too, by their keyed hash). */
  flowStartsPerUser: (c: Limits): LimitPolicy => ({
    name: "flow-start:user",
    max: c.limits.flowsPerUserPerDay,
    windowSeconds: DAY,
    reason: "flow-starts-per-user",
  }),
  flowStartsPerIp: (c: Limits): LimitPolicy => ({
    name: "flow-start:ip",
    max: c.limits.flowsPerIpPerHour,
    windowSeconds: HOUR,
    reason: "flow-starts-per-ip",
  }),
  captchaPerIp: (c: Limits): LimitPolicy => ({
    name: "captcha:ip",
    max: c.limits.captchaPerIpPerHour,
    windowSeconds: HOUR,
    reason: "captcha-per-ip",
  }),
  /**
   * Wrong codes per account in the wizard: past it, self-service is blocked for a day. Only a wrong code against a code
   * really sent to the account's registered number counts (lib/recovery/steps.ts), so a stranger who does not know the
   * number cannot use it to keep the owner out; such a flow still ends after its own tries.
   */
  codeFailuresPerAccount: (c: Limits): LimitPolicy => ({
    name: "code-failures:account",
    max: c.limits.codeFailuresPerAccountPerDay,
    windowSeconds: DAY,
    reason: "code-failures-per-account",
  }),
  /** Wrong admin sign-in codes per administrator: the admin sign-in's own counter, never the wizard's. */
  adminCodeFailuresPerAccount: (): LimitPolicy => ({
    name: "admin-code-failures:account",
    max: ADMIN_CODE_FAILURES_PER_DAY,
    windowSeconds: DAY,
    reason: "admin-code-failures-per-account",
  }),
  /**
   * Wizard codes to one mobile number (by its keyed hash), over every flow and user ID: one number cannot be pumped, and
   * the global caps below stay the last line instead of the first. Admin sign-in codes have their own per-account cap.
   */
  codesPerNumber: (c: Limits): LimitPolicy => ({
    name: "code-sends:number",
    max: c.limits.codesPerNumberPerDay,
    windowSeconds: DAY,
    reason: "codes-per-number",
  }),
  /** Codes texted to one administrator (someone holding only the password cannot keep texting the phone). */
  adminCodesPerAccount: (): LimitPolicy => ({
    name: "admin-code-sends:account",
    max: ADMIN_CODES_PER_DAY,
    windowSeconds: DAY,
    reason: "per-account-limit",
  }),
  /**
   * Codes texted to new numbers for one account ("Mijn herstelgegevens"): someone holding a session and the password
   * cannot keep texting numbers; each such code also counts against codesPerNumber and the global caps.
   */
  mobileChangesPerAccount: (): LimitPolicy => ({
    name: "mobile-change-sends:account",
    max: MOBILE_CHANGES_PER_DAY,
    windowSeconds: DAY,
    reason: "mobile-changes-per-account",
  }),
  /** Wrong codes per account while changing its own number: its own counter, never the wizard's. */
  mobileCodeFailuresPerAccount: (): LimitPolicy => ({
    name: "mobile-code-failures:account",
    max: MOBILE_CODE_FAILURES_PER_DAY,
    windowSeconds: DAY,
    reason: "mobile-code-failures-per-account",
  }),
  /** The global SMS caps (one counter for everyone: they are about money, not about any one user). */
  smsPerHour: (c: Sms): LimitPolicy => ({ name: "sms-cap:hour", max: c.sms.capPerHour, windowSeconds: HOUR, reason: "cap-per-hour" }),
  smsPerDay: (c: Sms): LimitPolicy => ({ name: "sms-cap:day", max: c.sms.capPerDay, windowSeconds: DAY, reason: "cap-per-day" }),
  /** Audited refusals of one kind from one IP. */
  auditedRefusalsPerIp: (event: string): LimitPolicy => ({
    name: `audit:${event}`,
    max: REFUSALS_PER_IP_PER_HOUR,
    windowSeconds: HOUR,
    reason: "refusals-per-ip",
  }),
};
