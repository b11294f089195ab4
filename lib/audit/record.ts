// The only writer of the audit trail: one append-only row per step and outcome, never a secret. The database links each
// row into the hash chain when the writing transaction commits (lib/audit/chain.ts), whoever the writer.
import "server-only";
import type { Db, Tx } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { countAuditEvent } from "@/lib/metrics";
import type { AuditEventName } from "./events";

export type { AuditEventName } from "./events";

export type AuditOutcome = "success" | "failure" | "refused" | "info";

export type AuditEvent = {
  event: AuditEventName;
  outcome: AuditOutcome;
  reason?: string | null;
  userId?: string | null;
  subjectHash?: string | null;
  flowId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  locale?: string | null;
  details?: Record<string, string | number | boolean | null>;
  at?: Date;
};

/** Appends one event; pass the transaction when the event must commit together with the change it describes. */
export async function recordAudit(db: Db | Tx, e: AuditEvent): Promise<void> {
  await db.insert(auditEvents).values({
    event: e.event,
    outcome: e.outcome,
    reason: e.reason ?? null,
    userId: e.userId ?? null,
    subjectHash: e.subjectHash ?? null,
    flowId: e.flowId ?? null,
    ip: e.ip ?? null,
    userAgent: e.userAgent ?? null,
    locale: e.locale ?? null,
    details: e.details ?? null,
    ...(e.at ? { at: e.at } : {}),
  });
  // Counted once the row is written (a transaction that rolls back afterwards is rare: a crash, a lost connection).
  countAuditEvent(e);
}
