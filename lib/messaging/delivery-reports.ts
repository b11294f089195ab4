// MessageBird status reports: verified with the SDK's Signature-JWT helper, then recorded once per message and status
// as an audit event linked to the flow ("SMS delivered at 10:02:07", "failed: unknown subscriber").
import "server-only";
import { createSecretKey } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { verify, VerifyOptions } from "messagebird/lib/webhook-signature-jwt";
import type { AuditEventIn } from "@/lib/audit/events";
import { recordAudit, type AuditOutcome } from "@/lib/audit/record";
import { recordAuditThrottled } from "@/lib/audit/throttled";
import type { Db } from "@/lib/db/client";
import { outboxMessages, recoveryFlows } from "@/lib/db/schema";

/** A report older than this is refused even if its token has not expired yet (replayed or held back). */
const MAX_REPORT_AGE_SECONDS = 300;
/** Reports are a few hundred bytes; anything much larger is not one. */
export const MAX_REPORT_BYTES = 16 * 1024;

export type IncomingReport = {
  method: string;
  /** The URL MessageBird called, as the public address spells it (BASE_URL + path + query), which the token signs. */
  url: string;
  body: Buffer;
  contentType: string | null;
  signature: string | null;
  ip: string | null;
  userAgent: string | null;
};

export type ReportAnswer = { status: 200 | 400 | 401 | 404; text: string };

/** Status words (SMS and voice) to what they mean for the person waiting for a code. */
function meaning(status: string): { event: AuditEventIn<"message">; outcome: AuditOutcome } {
  if (status === "delivered" || status === "answered") return { event: "message.delivered", outcome: "success" };
  if (["delivery_failed", "expired", "failed", "busy", "machine", "no_answer"].includes(status))
    return { event: "message.delivery_failed", outcome: "failure" };
  return { event: "message.status_reported", outcome: "info" };
}

/** The report's fields: SMS reports come as a GET query, others may be posted as a form or JSON. */
function fieldsOf(report: IncomingReport): Record<string, string> {
  const fromQuery = Object.fromEntries(new URL(report.url).searchParams);
  if (report.method !== "POST" || report.body.length === 0) return fromQuery;
  const text = report.body.toString("utf8");
  if (report.contentType?.includes("application/json")) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      return {
        ...fromQuery,
        ...Object.fromEntries(
          Object.entries(json)
            .filter(([, v]) => typeof v === "string" || typeof v === "number")
            .map(([k, v]) => [k, String(v)]),
        ),
      };
    } catch {
      return fromQuery;
    }
  }
  return { ...fromQuery, ...Object.fromEntries(new URLSearchParams(text)) };
}

const short = (value: string | undefined, max = 120) => (value ? value.slice(0, max) : null);

/** Final statuses (SMS and voice): after one of these nothing changes any more. */
const FINAL = new Set(["delivered", "answered", "delivery_failed", "expired", "failed", "busy", "no_answer", "machine"]);

/**
 * How far along a message is: handed over (ours: sending, sent; MessageBird's: scheduled, sent), on its way (buffered,
 * calling, and any status word we do not know), final. Statuses only move forward, so a replayed or late report (a
 * "sent" after "delivered", a "buffered" after "delivery_failed") can never roll one back.
 */
export function statusRank(status: string): number {
  if (status === "queued" || status === "sending") return 0;
  if (status === "sent" || status === "scheduled") return 1;
  return FINAL.has(status) ? 3 : 2;
}

/** Verifies, then records the report; a repeated report (same message, same status) changes nothing. */
export async function receiveDeliveryReport(db: Db, report: IncomingReport, signingKey: string | undefined): Promise<ReportAnswer> {
  const refuse = async (reason: string, status: 401 | 404): Promise<ReportAnswer> => {
    await recordAuditThrottled(db, {
      event: "message.report_refused",
      outcome: "refused",
      reason,
      ip: report.ip,
      userAgent: report.userAgent,
    });
    return { status, text: status === 404 ? "Not found" : "Invalid signature" };
  };
  if (!signingKey) return refuse("not-configured", 404);
  if (!report.signature) return refuse("unsigned", 401);
  try {
    const options = new VerifyOptions(true, true, {
      issuer: "MessageBird",
      algorithms: ["HS256", "HS384", "HS512"],
      clockTolerance: 5,
      maxTokenAge: MAX_REPORT_AGE_SECONDS,
    });
    await verify(
      report.url,
      report.body.length ? report.body : null,
      report.signature,
      createSecretKey(Buffer.from(signingKey, "utf8")),
      options,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    return refuse(/timestamp check failed|"exp"|"iat"/.test(message) ? "stale" : "bad-signature", 401);
  }

  const f = fieldsOf(report);
  if (!f.id || !f.status) return { status: 400, text: "id and status are required" };
  const status = f.status.slice(0, 40);
  return db.transaction(async (tx) => {
    // Only a step forward is news: MessageBird repeats a report until it gets a 200, and a replayed or late one (an
    // earlier status) must not roll the message back. The row is held while it is compared, so parallel reports queue.
    const [message] = await tx
      .select({
        id: outboxMessages.id,
        status: outboxMessages.status,
        flowId: outboxMessages.flowId,
        channel: outboxMessages.channel,
        purpose: outboxMessages.purpose,
      })
      .from(outboxMessages)
      .where(and(eq(outboxMessages.providerId, f.id!), eq(outboxMessages.transport, "messagebird")))
      .limit(1)
      .for("update");
    if (!message || statusRank(status) <= statusRank(message.status)) return { status: 200, text: "OK" };
    await tx.update(outboxMessages).set({ status }).where(eq(outboxMessages.id, message.id));
    const [flow] = message.flowId
      ? await tx.select({ userId: recoveryFlows.userId }).from(recoveryFlows).where(eq(recoveryFlows.id, message.flowId)).limit(1)
      : [];
    const { event, outcome } = meaning(status);
    await recordAudit(tx, {
      event,
      outcome,
      reason: `${message.purpose}:${message.channel}`,
      flowId: message.flowId,
      userId: flow?.userId ?? null,
      details: {
        providerId: f.id!.slice(0, 64),
        status,
        statusAt: short(f.statusDatetime, 40),
        statusReason: short(f.statusReason),
        statusErrorCode: short(f.statusErrorCode, 20),
      },
    });
    return { status: 200, text: "OK" };
  }) as Promise<ReportAnswer>;
}
