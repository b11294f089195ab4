// The recovery service under parallel requests on both drivers: counters stay exact, a code and a password count once.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { rateLimits, verificationCodes } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { drivers, freshDb } from "@/tests/db";
import { liveSessions, openUserSession } from "@/tests/sessions";
import { chooseIntent, chooseNewPassword, resendCode, startRecovery, submitNumber, verifyCode } from "./steps";
import { Harness, MOBILE, NEW_PASSWORD, OTHER_MOBILE, at, t0, wrongCode } from "./steps.test-helper";

describe.each(drivers())("recovery service under parallel requests on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 3);
  });
  afterAll(async () => {
    await handle?.close();
  });

  const failureCount = async (subject: string) =>
    (
      await h.db
        .select({ count: rateLimits.count })
        .from(rateLimits)
        .where(eq(rateLimits.key, `code-failures:account:${subject}`))
    )[0]?.count ?? 0;

  it("20 parallel wrong codes: at most 5 are evaluated, the counter never passes 5, and the flow ends", async () => {
    const u = await h.newUser();
    const c = h.client();
    const { token, flowId, codes } = await h.toCode(u.email, c);
    const flow = await h.guard(token, "code", c);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => verifyCode(h.db, flow, wrongCode(codes[0]!, (i % 9) + 1), c.ctx(at(1)))),
    );
    const row = await h.flowRow(flowId);
    expect(row).toMatchObject({ step: "ended", endedReason: "too-many-attempts", codeAttempts: 5 });
    const evaluated = (await h.audit(flowId)).filter((r) => r.event === "recovery.code_failed" && r.outcome === "failure");
    expect(evaluated.length).toBeLessThanOrEqual(5);
    expect(await failureCount(u.id)).toBe(5);
    expect(results.filter((r) => r.kind === "wrong-code" || r.kind === "expired-code").length).toBeLessThanOrEqual(4);
    expect(results.filter((r) => r.kind === "moved").every((r) => r.kind === "moved" && r.step === "ended")).toBe(true);
    // The right code, afterwards, does nothing.
    expect(await verifyCode(h.db, flow, codes[0]!, c.ctx(at(2)))).toEqual({ kind: "moved", step: "ended" });
    expect(await h.history(u.id)).toHaveLength(1);
  });

  it("parallel wrong codes for unknown IDs are capped the same way (3 rounds)", async () => {
    for (let round = 0; round < 3; round++) {
      const c = h.client();
      const { token, flowId } = await h.toCode(h.unknownId(), c);
      const flow = await h.guard(token, "code", c);
      await Promise.all(Array.from({ length: 20 }, (_, i) => verifyCode(h.db, flow, String(100000 + i), c.ctx(at(1)))));
      const row = await h.flowRow(flowId);
      expect(row).toMatchObject({ step: "ended", endedReason: "too-many-attempts", codeAttempts: 5 });
      // Counted on the flow's own key (no code was sent, so not against the ID), never past 5.
      expect(await failureCount(`unsent-code:${flowId}`)).toBe(5);
      expect(await failureCount(row.subjectHash)).toBe(0);
    }
  });

  it("a right code sent together with wrong ones still gets through, once (20 rounds)", async () => {
    // Before the flow row was locked for the check, about one round in eight on PostgreSQL spent the right code and
    // left the flow on the code step; 20 rounds catch that nearly always.
    const u = await h.newUser();
    for (let round = 0; round < 20; round++) {
      // This test is about the race, not the limits: start each round with the account's counters at zero.
      await h.db.delete(rateLimits).where(inArray(rateLimits.key, [`code-failures:account:${u.id}`, `flow-start:user:${u.id}`]));
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c, { intent: "unlock" });
      const flow = await h.guard(token, "code", c);
      const now = c.ctx(at(1));
      const results = await Promise.all([
        verifyCode(h.db, flow, wrongCode(codes[0]!, 1), now),
        verifyCode(h.db, flow, wrongCode(codes[0]!, 2), now),
        verifyCode(h.db, flow, codes[0]!, now),
        verifyCode(h.db, flow, wrongCode(codes[0]!, 3), now),
      ]);
      expect(results[2], `round ${round}`).toEqual({ kind: "moved", step: "done" });
      expect(await h.flowRow(flowId), `round ${round}`).toMatchObject({ step: "done" });
      expect((await h.events(flowId)).filter((e) => e === "account.unlocked")).toHaveLength(1);
    }
  });

  it("two parallel right codes, then two parallel passwords: the password changes once", async () => {
    const u = await h.newUser({ locked: true });
    const c = h.client();
    await openUserSession(h.db, u.id);
    const { token, flowId, codes } = await h.toCode(u.email, c);
    const codeFlow = await h.guard(token, "code", c);
    const verified = await Promise.all([
      verifyCode(h.db, codeFlow, codes[0]!, c.ctx(at(1))),
      verifyCode(h.db, codeFlow, codes[0]!, c.ctx(at(1))),
    ]);
    expect(verified).toEqual([
      { kind: "moved", step: "password" },
      { kind: "moved", step: "password" },
    ]);
    expect((await h.events(flowId)).filter((e) => e === "recovery.code_verified")).toHaveLength(1);
    const used = await h.db
      .select()
      .from(verificationCodes)
      .where(and(eq(verificationCodes.flowId, flowId)));
    expect(used.filter((r) => r.usedAt !== null)).toHaveLength(1);

    const passwordFlow = await h.guard(token, "password", c, at(2));
    const other = "Lente2028!anders";
    const set = await Promise.all([
      chooseNewPassword(h.db, passwordFlow, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx(at(3)) }),
      chooseNewPassword(h.db, passwordFlow, { password: other, confirmation: other, ...c.ctx(at(3)) }),
    ]);
    // The password that lost was not set: its request is told the flow had finished, never shown "done".
    expect(set).toContainEqual({ kind: "moved", step: "done" });
    expect(set).toContainEqual({ kind: "finished" });
    const after = await h.user(u.id);
    expect(await liveSessions(h.db, u.id)).toBe(0);
    expect(after.lockedAt).toBeNull();
    const history = await h.history(u.id);
    expect(history).toHaveLength(2);
    expect(history[1]!.passwordHash).toBe(after.passwordHash);
    const works = [await verifyPassword(after.passwordHash, NEW_PASSWORD), await verifyPassword(after.passwordHash, other)];
    expect(works.filter(Boolean)).toHaveLength(1);
    expect((await h.events(flowId)).filter((e) => e === "password.reset")).toHaveLength(1);
    expect((await h.outbox(flowId)).filter((m) => m.purpose === "notification")).toHaveLength(1);
  });

  it("two parallel right codes on the unlock path unlock once and notify once", async () => {
    const u = await h.newUser({ locked: true });
    const c = h.client();
    const { token, flowId, codes } = await h.toCode(u.email, c, { intent: "unlock" });
    const flow = await h.guard(token, "code", c);
    const results = await Promise.all([verifyCode(h.db, flow, codes[0]!, c.ctx(at(1))), verifyCode(h.db, flow, codes[0]!, c.ctx(at(1)))]);
    expect(results).toEqual([
      { kind: "moved", step: "done" },
      { kind: "moved", step: "done" },
    ]);
    expect((await h.user(u.id)).lockedAt).toBeNull();
    expect((await h.events(flowId)).filter((e) => e === "account.unlocked")).toHaveLength(1);
    const notifications = (await h.outbox(flowId)).filter((m) => m.purpose === "notification");
    expect(notifications.map((m) => m.recipient)).toEqual([MOBILE]);
  });

  it("parallel resends send one new code; parallel numbers count one mismatch", async () => {
    const u = await h.newUser();
    const c = h.client();
    const { token, flowId } = await h.toCode(u.email, c);
    const flow = await h.guard(token, "code", c, at(60));
    await Promise.all(Array.from({ length: 5 }, () => resendCode(h.db, flow, c.ctx(at(60)))));
    expect(await h.flowRow(flowId)).toMatchObject({ sends: 2, lastSentAt: at(60) });
    expect(await h.codes(flowId)).toHaveLength(2);
    expect(await h.db.select().from(verificationCodes).where(eq(verificationCodes.flowId, flowId))).toHaveLength(2);

    const v = await h.newUser();
    const second = await h.start(v.email, c);
    await chooseIntent(h.db, await h.guard(second.token, "intent", c), "reset", c.ctx());
    const verify = await h.guard(second.token, "verify", c);
    await Promise.all(Array.from({ length: 5 }, () => submitNumber(h.db, verify, { channel: "sms", typed: OTHER_MOBILE, ...c.ctx() })));
    expect(await h.flowRow(second.flowId)).toMatchObject({ step: "code", phoneMismatches: 1, sends: 1 });
  });

  it("parallel starts for one user ID: exactly 5 get a flow", async () => {
    const id = h.unknownId();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => startRecovery(h.db, { typedId: id, intent: null, ...h.client().ctx(t0) })),
    );
    expect(results.filter((r) => r.kind === "started")).toHaveLength(5);
    expect(results.filter((r) => r.kind === "rate-limited")).toHaveLength(7);
  });
});
