// Refusals that anyone can cause without signing in (forged delivery reports, anonymous visits to the admin area) are
// audited at most REFUSALS_PER_IP_PER_HOUR times per IP and kind, so nobody can flood the trail or make every auditing
// commit queue behind their rows at the chain head. The first refusal past the limit is recorded once as
// audit.throttled; the rest are only counted (rate_limits).
import "server-only";
import type { Db } from "@/lib/db/client";
import { limits, REFUSALS_PER_IP_PER_HOUR } from "@/lib/limits/policies";
import { hitLimit } from "@/lib/limits/rate-limit";
import { recordAudit, type AuditEvent } from "./record";

export { REFUSALS_PER_IP_PER_HOUR };

export async function recordAuditThrottled(db: Db, e: AuditEvent): Promise<void> {
  const limit = limits.auditedRefusalsPerIp(e.event);
  const hit = await hitLimit(db, limit, e.ip ?? "unknown", e.at);
  if (hit.allowed) return recordAudit(db, e);
  if (hit.count === limit.max + 1) {
    await recordAudit(db, {
      event: "audit.throttled",
      outcome: "info",
      reason: e.event,
      ip: e.ip,
      userAgent: e.userAgent,
      details: { max: limit.max, until: hit.retryAt.toISOString() },
      at: e.at,
    });
  }
}
