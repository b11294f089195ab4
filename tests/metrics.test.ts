// Metrics derived from the audit trail (lib/metrics.ts): recording an event counts it in the server's registry
// (server/metrics.mjs) under short labels, and the text Prometheus scrapes shows it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "@/lib/audit/record";
import type { DbHandle } from "@/lib/db/client";
import { serverBridge } from "@/lib/server-bridge";
import { freshDb } from "@/tests/db";
// @ts-expect-error -- plain JavaScript module without types (it runs without a build step)
import { createMetrics, routeLabel } from "../server/metrics.mjs";

let handle: DbHandle;
const metrics = createMetrics();
beforeAll(async () => {
  handle = await freshDb("pglite");
  serverBridge().metrics = metrics;
});
afterAll(async () => {
  delete serverBridge().metrics;
  await handle?.close();
});

describe("metrics from audit events", () => {
  it("counts completed resets and unlocks, message outcomes and limits hit", async () => {
    const flowId = "3f2a9c1e-7b1d-4c55-9a0e-2d4b6f8a1c3e";
    await recordAudit(handle.db, { event: "password.reset", outcome: "success", flowId });
    await recordAudit(handle.db, { event: "account.unlocked", outcome: "success", flowId });
    await recordAudit(handle.db, { event: "message.handed_over", outcome: "success", reason: "code:sms", flowId });
    await recordAudit(handle.db, { event: "message.failed", outcome: "failure", reason: "code:voice", flowId });
    await recordAudit(handle.db, { event: "sign_in.rate_limited", outcome: "refused", reason: "sign-in-per-ip" });
    await recordAudit(handle.db, { event: "sms.breaker_tripped", outcome: "refused", reason: "sms-per-hour" });
    await recordAudit(handle.db, { event: "sign_in.failed", outcome: "failure" });
    const text: string = await metrics.registry.metrics();
    expect(text).toContain('toegang_recoveries_completed_total{kind="reset"} 1');
    expect(text).toContain('toegang_recoveries_completed_total{kind="unlock"} 1');
    expect(text).toContain('toegang_codes_total{outcome="sent",channel="sms",purpose="code"} 1');
    expect(text).toContain('toegang_codes_total{outcome="failed",channel="voice",purpose="code"} 1');
    expect(text).toContain('toegang_limits_hit_total{limit="sign-in-per-ip"} 1');
    expect(text).toContain('toegang_limits_hit_total{limit="sms-per-hour"} 1');
  });

  it("keeps route labels few: locales, ids and unknown paths folded", () => {
    expect(routeLabel("/en/admin/audit/flows/3f2a9c1e-7b1d-4c55-9a0e-2d4b6f8a1c3e", 200)).toBe("/:locale/admin/audit/flows/:id");
    expect(routeLabel("/nl", 200)).toBe("/:locale");
    expect(routeLabel("/_next/static/chunks/abc.js", 200)).toBe("/_next/static");
    expect(routeLabel("/wp-login.php", 404)).toBe("unmatched");
  });
});
