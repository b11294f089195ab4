// Refusals anyone can cause are audited at most 20 times per IP and kind per hour, then once as audit.throttled.
import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { drivers, freshDb } from "@/tests/db";
import type { AuditEventName } from "./events";
import { REFUSALS_PER_IP_PER_HOUR, recordAuditThrottled } from "./throttled";

describe.each(drivers())("throttled refusals on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("records the first 20 per IP and kind, then one audit.throttled, then nothing until the hour is over", async () => {
    const at = new Date("2026-11-25T10:00:00Z");
    const refuse = (ip: string, event: AuditEventName = "message.report_refused", when = at) =>
      recordAuditThrottled(h.db, { event, outcome: "refused", reason: "unsigned", ip, at: when });
    for (let i = 0; i < 30; i++) await refuse("198.51.100.1");
    await refuse("198.51.100.2");
    await refuse("198.51.100.1", "admin.access_refused");
    await refuse("198.51.100.1", "message.report_refused", new Date(at.getTime() + 3601_000));

    const rows = await h.db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    const from1 = rows.filter((r) => r.ip === "198.51.100.1");
    expect(from1.filter((r) => r.event === "message.report_refused")).toHaveLength(REFUSALS_PER_IP_PER_HOUR + 1);
    expect(from1.filter((r) => r.event === "audit.throttled").map((r) => [r.reason, r.details])).toEqual([
      ["message.report_refused", { max: REFUSALS_PER_IP_PER_HOUR, until: new Date(at.getTime() + 3600_000).toISOString() }],
    ]);
    expect(from1.filter((r) => r.event === "admin.access_refused")).toHaveLength(1);
    expect(rows.filter((r) => r.ip === "198.51.100.2")).toHaveLength(1);
  });
});
