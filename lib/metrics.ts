// What the portal counts for Prometheus (/api/metrics, server/metrics.mjs): derived from the audit events it records,
// so every completed reset or unlock, message outcome and refused limit is counted where it is audited — one home for
// both. Without the portal's server (Vitest, a CLI) there are no metrics and this does nothing.
import "server-only";
import type { AuditEventName } from "@/lib/audit/events";
import { serverBridge } from "@/lib/server-bridge";

type Counted = { event: AuditEventName; outcome: string; reason?: string | null; flowId?: string | null };

/** The metric label of an audit reason: a short code word, never anything a user typed. */
const label = (value: string | null | undefined) => (value && /^[\w:.-]{1,64}$/.test(value) ? value : "other");

/** Counts one recorded audit event in the metrics it belongs to. */
export function countAuditEvent(e: Counted): void {
  const m = serverBridge().metrics;
  if (!m) return;
  if (e.event === "password.reset" && e.outcome === "success") m.recoveries.inc({ kind: "reset" });
  else if (e.event === "account.unlocked" && e.outcome === "success" && e.flowId) m.recoveries.inc({ kind: "unlock" });
  else if (e.event === "message.handed_over" || e.event === "message.failed" || e.event === "message.refused") {
    const [purpose, channel] = label(e.reason).split(":");
    const outcome = e.event === "message.handed_over" ? "sent" : e.event === "message.failed" ? "failed" : "refused";
    m.codes.inc({ outcome, channel: label(channel), purpose: label(purpose) });
  } else if (e.event === "admin.sign_in.code_sent") {
    m.codes.inc({ outcome: e.outcome === "success" ? "sent" : "failed", channel: "sms", purpose: "admin-code" });
  } else if (e.event.endsWith(".rate_limited") || e.event === "sms.breaker_tripped") {
    m.limitsHit.inc({ limit: label(e.reason ?? e.event) });
  }
}
