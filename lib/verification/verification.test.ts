// The verification module the wizard and the admin sign-in share, on both drivers: codes bound to their attempt and
// purpose, expired never matching; and the guarded send — per-account cap, spend guard (the breaker refuses or is
// overridden), one hand-over, the provider's health noted for every send, the outcome audited together with the
// caller's own state.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "@/lib/audit/record";
import type { DbHandle, Tx } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { auditEvents, providerHealth, rateLimits } from "@/lib/db/schema";
import type { LimitPolicy } from "@/lib/limits/policies";
import type { OutgoingMessage, SendResult, Transport } from "@/lib/messaging/transport";
import { drivers, freshDb } from "@/tests/db";
import { checkCode, issueCode } from "./codes";
import { sendGuarded, type SendOutcome } from "./send";

const t0 = new Date("2026-03-02T09:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const policy = { codeTtlSeconds: 600 };

describe("one-time codes", () => {
  it("a code passes only for its attempt and purpose, only before it expires, and is kept only as a keyed hash", () => {
    const issued = issueCode("flow-1", "reset", t0, policy);
    expect(issued.code).toMatch(/^\d{6}$/);
    expect(issued.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.codeHash).not.toContain(issued.code);
    expect(issued.expiresAt).toEqual(at(600));
    expect(checkCode(issued, "flow-1", "reset", issued.code, at(599))).toBe("match");
    expect(checkCode(issued, "flow-1", "reset", issued.code, at(600))).toBe("expired");
    expect(checkCode(issued, "flow-2", "reset", issued.code, at(1))).toBe("wrong");
    expect(checkCode(issued, "flow-1", "unlock", issued.code, at(1))).toBe("wrong");
    expect(checkCode(issued, "flow-1", "admin-sign-in", issued.code, at(1))).toBe("wrong");
    const other = issued.code === "000000" ? "111111" : "000000";
    expect(checkCode(issued, "flow-1", "reset", other, at(1))).toBe("wrong");
    expect(checkCode(null, "flow-1", "reset", issued.code, at(1))).toBe("wrong");
    expect(checkCode({ codeHash: null, expiresAt: null }, "flow-1", "reset", issued.code, at(1))).toBe("wrong");
  });
});

describe.each(drivers())("the guarded send on %s", (driver) => {
  let handle: DbHandle;
  let n = 0;
  beforeAll(async () => {
    handle = await freshDb(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** A transport that answers as told and remembers what it was given. */
  function transport(answer: SendResult | Error): Transport & { sent: OutgoingMessage[] } {
    const sent: OutgoingMessage[] = [];
    return {
      name: `test-${++n}`,
      sent,
      async send(_db, message) {
        sent.push(message);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
  }
  const message = (to = "+31612345656"): OutgoingMessage => ({
    to,
    channel: "sms",
    locale: "nl",
    body: "Uw code is 123456",
    purpose: "code",
  });
  const auditAs =
    (flowId: string) =>
    (o: SendOutcome): AuditEvent => ({
      event: "message.handed_over",
      outcome: o.kind === "sent" ? "success" : "failure",
      reason: o.kind,
      flowId,
      details: o.kind === "refused" ? { rule: o.rule } : { transport: o.transport },
    });
  const rowsFor = async (flowId: string) => handle.db.select().from(auditEvents).where(eq(auditEvents.flowId, flowId));
  const health = async (name: string) => (await handle.db.select().from(providerHealth).where(eq(providerHealth.transport, name)))[0];

  it("hands a message over once, notes the provider's health and audits the outcome, for a success and a failure alike", async () => {
    const ok = transport({ ok: true, providerId: "p-1" });
    expect(await sendGuarded(handle.db, message(), { breaker: "refuse", now: t0, transport: ok, audit: auditAs("send-ok") })).toEqual({
      kind: "sent",
      transport: ok.name,
      providerId: "p-1",
    });
    expect(ok.sent).toHaveLength(1);
    expect((await health(ok.name))?.lastSuccessAt).toBeInstanceOf(Date);
    expect((await rowsFor("send-ok")).map((r) => r.reason)).toEqual(["sent"]);

    const failing = transport(new Error("socket hang up"));
    const failed = await sendGuarded(handle.db, message(), {
      breaker: "override",
      now: t0,
      transport: failing,
      audit: auditAs("send-failed"),
    });
    expect(failed).toMatchObject({ kind: "failed", transport: failing.name, error: "Error" });
    expect((await health(failing.name))?.lastFailureAt).toBeInstanceOf(Date);
    expect((await rowsFor("send-failed")).map((r) => r.reason)).toEqual(["failed"]);
  });

  it("refuses a number outside the allowed countries and a per-account cap before anything is handed over", async () => {
    const t = transport({ ok: true, providerId: "p" });
    const abroad = await sendGuarded(handle.db, message("+32470123456"), { breaker: "override", transport: t, audit: auditAs("abroad") });
    expect(abroad).toEqual({ kind: "refused", rule: "country-not-allowed" });
    const cap: LimitPolicy = { name: "test-cap", max: 1, windowSeconds: 3600, reason: "test" };
    const once = {
      breaker: "refuse" as const,
      now: t0,
      transport: t,
      perAccount: { policy: cap, subject: "account-1" },
      audit: auditAs("capped"),
    };
    expect((await sendGuarded(handle.db, message(), once)).kind).toBe("sent");
    expect(await sendGuarded(handle.db, message(), once)).toEqual({ kind: "refused", rule: "per-account-limit" });
    expect(t.sent).toHaveLength(1);
    expect((await rowsFor("capped")).map((r) => r.reason)).toEqual(["sent", "refused"]);
  });

  it("an open breaker refuses the wizard's message and lets an administrator's through", async () => {
    await handle.db.execute(sql`delete from rate_limits where key like 'sms-cap:%'`);
    await handle.db.insert(rateLimits).values({ key: "sms-cap:hour:all", count: 1_000_000, windowStart: t0, expiresAt: at(3600) });
    const t = transport({ ok: true, providerId: "p" });
    expect(await sendGuarded(handle.db, message(), { breaker: "refuse", now: at(1), transport: t, audit: auditAs("breaker") })).toEqual({
      kind: "refused",
      rule: "breaker",
    });
    expect(
      (await sendGuarded(handle.db, message(), { breaker: "override", now: at(2), transport: t, audit: auditAs("breaker") })).kind,
    ).toBe("sent");
    expect(t.sent).toHaveLength(1);
    await handle.db.execute(sql`delete from rate_limits where key like 'sms-cap:%'`);
  });

  it("the caller's state commits with the outcome's audit row, or neither does", async () => {
    await handle.db.execute(sql`create table test_send_state (flow text primary key, outcome text not null)`);
    const t = transport({ ok: false, error: "provider-error", providerCode: 2, httpStatus: 422 });
    const kept = async (tx: Tx, o: SendOutcome) => {
      await tx.execute(sql`insert into test_send_state (flow, outcome) values ('kept', ${o.kind})`);
    };
    await sendGuarded(handle.db, message(), { breaker: "refuse", transport: t, audit: auditAs("kept"), record: kept });
    expect((await rowsFor("kept")).map((r) => r.reason)).toEqual(["failed"]);
    expect(rowsOf(await handle.db.execute(sql`select outcome from test_send_state where flow = 'kept'`))).toEqual([{ outcome: "failed" }]);

    const refused = async () => {
      throw new Error("state refused");
    };
    await expect(
      sendGuarded(handle.db, message(), { breaker: "refuse", transport: t, audit: auditAs("lost"), record: refused }),
    ).rejects.toThrow("state refused");
    expect(await rowsFor("lost")).toEqual([]);
  });
});
