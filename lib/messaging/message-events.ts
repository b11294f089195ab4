// Test mode only: the messaging audit events (sends, failures, refusals, reports, the breaker) since a moment, for the
// providers e2e suite, which cannot open the embedded database while the portal holds it.
import "server-only";
import { and, asc, gte, like, or } from "drizzle-orm";
import type { AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";

/**
 * The test-only routes (/dev/message-events, /dev/captcha-transcript) answer only a portal in test mode
 * (CAPTCHA_TEST_ANSWER: it shows the test banner) whose messages reach no real phone (the outbox, or MessageBird's
 * local stand-in), and only requests from this machine (fromThisMachine in lib/security/request-context.ts).
 */
export const messageEventsAllowed = (
  config: Pick<AppConfig, "captchaTestAnswer" | "smsProvider" | "messagebird">,
  fromThisMachine: boolean,
) => Boolean(config.captchaTestAnswer) && (config.smsProvider === "outbox" || Boolean(config.messagebird?.standIn)) && fromThisMachine;

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
