// MessageBird status reports on both drivers: signed ones are recorded once, linked to the flow and its account;
// unsigned, badly signed, tampered and stale ones are refused and audited; nothing works without a signing key.
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, outboxMessages, recoveryFlows } from "@/lib/db/schema";
import { signWebhook } from "@/e2e/stand-ins/messagebird";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { receiveDeliveryReport, statusRank, type IncomingReport } from "./delivery-reports";

const KEY = "test-signing-key-0123456789";
const BASE = "https://toegang.example.nl/api/messagebird/reports";

/** A GET report as MessageBird sends it for an SMS, signed with `key` at `at` (unless unsigned). */
function report(
  fields: Record<string, string>,
  opts: { key?: string | null; at?: number; ttl?: number; url?: string } = {},
): IncomingReport {
  const url = `${BASE}?${new URLSearchParams({ reference: "toegang", recipient: "31612345656", statusDatetime: "2026-03-02T10:02:07+00:00", ...fields })}`;
  const key = opts.key === undefined ? KEY : opts.key;
  return {
    method: "GET",
    url: opts.url ?? url,
    body: Buffer.alloc(0),
    contentType: null,
    signature: key === null ? null : signWebhook(key, url, null, opts.at, opts.ttl),
    ip: "203.0.113.7",
    userAgent: "MessageBird/webhook",
  };
}

describe.each(drivers())("delivery reports on %s", (driver) => {
  let handle: DbHandle;
  let flowId: string;
  let userId: string;
  beforeAll(async () => {
    handle = await freshDb(driver);
    const added = await addUser(handle.db, {
      email: "jan.rapport@example.nl",
      firstName: "Jan",
      lastName: "Rapport",
      phone: "0612345656",
      password: "Zeilboot2026!start",
    });
    if (!added.ok) throw new Error("user not added");
    userId = (await handle.db.query.users.findFirst({ where: (u, { eq }) => eq(u.emailKey, "jan.rapport@example.nl") }))!.id;
    const [flow] = await handle.db
      .insert(recoveryFlows)
      .values({
        tokenHash: randomUUID(),
        step: "code",
        userId,
        subjectHash: "x",
        maskedDigits: "56",
        locale: "nl",
        expiresAt: new Date(Date.now() + 900_000),
      })
      .returning({ id: recoveryFlows.id });
    flowId = flow!.id;
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function message(providerId: string) {
    await handle.db.insert(outboxMessages).values({
      recipient: "*****56",
      channel: "sms",
      locale: "nl",
      body: "",
      purpose: "code",
      flowId,
      transport: "messagebird",
      status: "sent",
      providerId,
    });
  }
  const events = async (event: string) =>
    handle.db.select().from(auditEvents).where(eq(auditEvents.event, event)).orderBy(asc(auditEvents.id));

  it("records 'delivered' once, linked to the flow and the account, with MessageBird's time; a repeat changes nothing", async () => {
    const id = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
    await message(id);
    const good = report({ id, status: "delivered" });
    expect(await receiveDeliveryReport(handle.db, good, KEY)).toEqual({ status: 200, text: "OK" });
    expect(await receiveDeliveryReport(handle.db, report({ id, status: "delivered" }), KEY)).toEqual({ status: 200, text: "OK" });
    const delivered = (await events("message.delivered")).filter((e) => e.flowId === flowId);
    expect(delivered.map((e) => [e.outcome, e.reason, e.userId, e.details])).toEqual([
      [
        "success",
        "code:sms",
        userId,
        { providerId: id, status: "delivered", statusAt: "2026-03-02T10:02:07+00:00", statusReason: null, statusErrorCode: null },
      ],
    ]);
    const [row] = await handle.db.select().from(outboxMessages).where(eq(outboxMessages.providerId, id));
    expect(row!.status).toBe("delivered");
    // The recipient in the report never reaches the audit trail.
    expect(JSON.stringify(delivered)).not.toContain("31612345656");
  });

  it("statuses only move forward: a replayed or late earlier report never rolls a message back", async () => {
    const id = "9f8e7d6c5b4a30291807f6e5d4c3b2a1";
    await message(id);
    const status = async () => (await handle.db.select().from(outboxMessages).where(eq(outboxMessages.providerId, id)))[0]!.status;
    const reported = async () => (await events("message.status_reported")).filter((e) => e.details?.providerId === id).length;
    const before = { delivered: (await events("message.delivered")).length, failed: (await events("message.delivery_failed")).length };
    const sent = report({ id, status: "sent" });
    // "sent" again (we hold "sent" since the hand-over): nothing new.
    expect(await receiveDeliveryReport(handle.db, sent, KEY)).toEqual({ status: 200, text: "OK" });
    expect(await reported()).toBe(0);
    expect(await receiveDeliveryReport(handle.db, report({ id, status: "buffered" }), KEY)).toMatchObject({ status: 200 });
    expect([await status(), await reported()]).toEqual(["buffered", 1]);
    expect(await receiveDeliveryReport(handle.db, report({ id, status: "delivered" }), KEY)).toMatchObject({ status: 200 });
    // Replays of the earlier reports, and a contradicting final one, arrive late: all answered 200, none applied.
    for (const late of [
      sent,
      report({ id, status: "buffered" }),
      report({ id, status: "scheduled" }),
      report({ id, status: "delivery_failed" }),
    ]) {
      expect(await receiveDeliveryReport(handle.db, late, KEY)).toEqual({ status: 200, text: "OK" });
    }
    expect(await status()).toBe("delivered");
    expect(await reported()).toBe(1);
    expect((await events("message.delivered")).length).toBe(before.delivered + 1);
    expect((await events("message.delivery_failed")).length).toBe(before.failed);
  });

  it("statusRank: handed over < on its way (unknown words too) < final", () => {
    expect(["queued", "sending", "sent", "buffered", "some_new_status", "delivered"].map(statusRank)).toEqual([0, 0, 1, 2, 2, 3]);
    for (const final of ["answered", "delivery_failed", "expired", "failed", "busy", "no_answer", "machine"])
      expect(statusRank(final)).toBe(3);
  });

  it("records a failed delivery with MessageBird's reason", async () => {
    const id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    await message(id);
    expect(
      await receiveDeliveryReport(
        handle.db,
        report({ id, status: "delivery_failed", statusReason: "unknown subscriber", statusErrorCode: "1" }),
        KEY,
      ),
    ).toMatchObject({ status: 200 });
    const failed = (await events("message.delivery_failed")).filter((e) => e.details?.providerId === id);
    expect(failed.map((e) => [e.outcome, e.flowId, e.details?.statusReason, e.details?.statusErrorCode])).toEqual([
      ["failure", flowId, "unknown subscriber", "1"],
    ]);
  });

  it("accepts a report posted as a form, whose token also signs the payload", async () => {
    const id = "1111222233334444555566667777aaaa";
    await message(id);
    const body = Buffer.from(new URLSearchParams({ id, status: "delivered", statusDatetime: "2026-03-02T10:05:00+00:00" }).toString());
    const posted: IncomingReport = {
      method: "POST",
      url: BASE,
      body,
      contentType: "application/x-www-form-urlencoded",
      signature: signWebhook(KEY, BASE, body),
      ip: null,
      userAgent: null,
    };
    expect(await receiveDeliveryReport(handle.db, posted, KEY)).toMatchObject({ status: 200 });
    expect((await events("message.delivered")).some((e) => e.details?.providerId === id)).toBe(true);
    // The same token with another payload is a forgery.
    const tampered = { ...posted, body: Buffer.from(body.toString().replace("delivered", "delivery_failed")) };
    expect(await receiveDeliveryReport(handle.db, tampered, KEY)).toMatchObject({ status: 401 });
  });

  it.each([
    ["unsigned", report({ id: "x1", status: "delivered" }, { key: null }), "unsigned"],
    ["signed with another key", report({ id: "x2", status: "delivered" }, { key: "someone-else" }), "bad-signature"],
    [
      "signed for another URL (status changed on the way)",
      { ...report({ id: "x3", status: "delivery_failed" }), url: `${BASE}?id=x3&status=delivered` },
      "bad-signature",
    ],
    ["stale (signed an hour ago)", report({ id: "x4", status: "delivered" }, { at: Date.now() - 3_600_000 }), "stale"],
    ["garbage in the header", { ...report({ id: "x5", status: "delivered" }), signature: "not-a-jwt" }, "bad-signature"],
  ])("refuses a report %s with 401 and audits the refusal", async (_name, incoming, reason) => {
    const before = (await events("message.report_refused")).length;
    expect(await receiveDeliveryReport(handle.db, incoming, KEY)).toEqual({ status: 401, text: "Invalid signature" });
    const refused = (await events("message.report_refused")).slice(before);
    expect(refused.map((e) => [e.outcome, e.reason, e.ip])).toEqual([["refused", reason, "203.0.113.7"]]);
  });

  it("refuses a report that is older than five minutes even while its token has not expired", async () => {
    expect(
      await receiveDeliveryReport(handle.db, report({ id: "x6", status: "delivered" }, { at: Date.now() - 320_000, ttl: 3_600 }), KEY),
    ).toMatchObject({ status: 401 });
    expect((await events("message.report_refused")).at(-1)?.reason).toBe("stale");
  });

  it("answers 404 while no signing key is configured, so unverifiable reports are never believed", async () => {
    expect(await receiveDeliveryReport(handle.db, report({ id: "x7", status: "delivered" }), undefined)).toEqual({
      status: 404,
      text: "Not found",
    });
    expect((await events("message.report_refused")).at(-1)?.reason).toBe("not-configured");
  });

  it("answers 400 to a signed report without id or status", async () => {
    expect(await receiveDeliveryReport(handle.db, report({ status: "delivered" }), KEY)).toMatchObject({ status: 400 });
  });
});
