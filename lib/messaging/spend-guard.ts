// Against SMS pumping: a message goes out only to a mobile number in an allowed country, and only while the global
// hourly and daily caps (counted in the database, shared by every instance) have room; past a cap the breaker is open.
import "server-only";
import { recordAudit } from "@/lib/audit/record";
import { getConfig, type AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { limits, type LimitPolicy } from "@/lib/limits/policies";
import { checkLimit, hitLimit } from "@/lib/limits/rate-limit";
import { checkMobileNumber } from "@/lib/users/normalize";

export type Admission =
  | { ok: true }
  | { ok: false; reason: "invalid-number" | "not-mobile" | "country-not-allowed" }
  | { ok: false; reason: "breaker"; retryAt: Date };

/** One counter for the whole portal: the caps are about money, not about any one user. */
const EVERYONE = "all";

export function sendCaps(config: Pick<AppConfig, "sms"> = getConfig()): LimitPolicy[] {
  return [limits.smsPerHour(config), limits.smsPerDay(config)];
}

/**
 * Counts one message against the caps before it is handed to the transport. The first refusal in a window is audited
 * as `sms.breaker_tripped` (exactly once: the counter passes max + 1 only once), so administrators see when and why.
 */
export async function admitMessage(db: Db, to: string, now = new Date(), config: Pick<AppConfig, "sms"> = getConfig()): Promise<Admission> {
  const number = checkMobileNumber(to, config.sms.allowedCountries);
  if (!number.ok) return { ok: false, reason: number.problem === "invalid" ? "invalid-number" : number.problem };
  for (const cap of sendCaps(config)) {
    const hit = await hitLimit(db, cap, EVERYONE, now);
    if (hit.allowed) continue;
    if (hit.count === cap.max + 1) {
      await recordAudit(db, {
        event: "sms.breaker_tripped",
        outcome: "refused",
        reason: cap.reason,
        details: { cap: cap.max, until: hit.retryAt.toISOString() },
        at: now,
      });
    }
    return { ok: false, reason: "breaker", retryAt: hit.retryAt };
  }
  return { ok: true };
}

/** Whether the next message would be refused by a cap, without counting one. */
export async function breakerOpen(db: Db, now = new Date(), config: Pick<AppConfig, "sms"> = getConfig()): Promise<boolean> {
  for (const cap of sendCaps(config)) {
    if (!(await checkLimit(db, cap, EVERYONE, now)).allowed) return true;
  }
  return false;
}
