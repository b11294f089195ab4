// Test mode only: the messaging audit events (sends, failures, refusals, reports, the breaker) since a moment, for the
// providers e2e suite, which cannot open the embedded database while the portal holds it.
import "server-only";
import { and, asc, gte, like, or } from "drizzle-orm";
import type { AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { fromThisMachine } from "./outbox";

/** Only a portal in test mode (CAPTCHA_TEST_ANSWER set: it shows the test banner) answers, and only this machine. */
export const messageEventsAllowed = (config: Pick<AppConfig, "captchaTestAnswer">, ip: string | null) =>
  Boolean(config.captchaTestAnswer) && fromThisMachine(ip);

export async function messageEventsSince(db: Db, since: Date) {
  return db
    .select({
      at: auditEvents.at,
      event: auditEvents.event,
      outcome: auditEvents.outcome,
      reason: auditEvents.reason,
      flowId: auditEvents.flowId,
      details: auditEvents.details,
    })
    .from(auditEvents)
    .where(and(gte(auditEvents.at, since), or(like(auditEvents.event, "message.%"), like(auditEvents.event, "sms.%"))))
    .orderBy(asc(auditEvents.id))
    .limit(500);
}
