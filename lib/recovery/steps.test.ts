// The recovery service on both database drivers: both paths end to end, numbers, codes, resends, password rules,
// step order (guard, replay, expiry, finished flows, cancel) and what the audit trail may and must hold.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { drivers, freshDb } from "@/tests/db";
import { liveSessions, openUserSession } from "@/tests/sessions";
import { guardFlow, loadFlow } from "./flow-store";
import { codePageInfo } from "./page-info";
import { cancelFlow, changeMethod, chooseIntent, chooseNewPassword, resendCode, submitNumber, verifyCode } from "./steps";
import { rowsOf } from "@/lib/db/rows";
import { Harness, MOBILE, MOBILE_NATIONAL, NEW_PASSWORD, OTHER_MOBILE, PASSWORD, at, t0, wrongCode } from "./steps.test-helper";

describe.each(drivers())("recovery service on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 1);
  });
  afterAll(async () => {
    await handle?.close();
  });

  describe("both paths end to end", () => {
    it("reset: the new password works, history grows, the lock goes, sessions end, a notification goes to the registered number", async () => {
      const u = await h.newUser({ locked: true });
      const c = h.client();
      const before = await h.user(u.id);
      await openUserSession(h.db, u.id);
      const { token, flowId, codes } = await h.toCode(u.email, c);
      // Starting and verifying the number change nothing about the account.
      expect(await h.user(u.id)).toEqual(before);
      expect(codes).toHaveLength(1);
      const [codeMessage] = await h.outbox(flowId);
      expect(codeMessage).toMatchObject({ recipient: MOBILE, channel: "sms", purpose: "code", locale: "nl" });

      const code = await h.guard(token, "code", c, at(30));
      expect(await verifyCode(h.db, code, codes[0]!, c.ctx(at(30)))).toEqual({ kind: "moved", step: "password" });
      expect(await h.user(u.id)).toEqual(before);

      const password = await h.guard(token, "password", c, at(60));
      expect(await chooseNewPassword(h.db, password, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx(at(60)) })).toEqual({
        kind: "moved",
        step: "done",
      });

      const after = await h.user(u.id);
      expect(await verifyPassword(after.passwordHash, NEW_PASSWORD)).toBe(true);
      expect(await verifyPassword(after.passwordHash, PASSWORD)).toBe(false);
      expect(after).toMatchObject({
        lockedAt: null,
        lockedUntil: null,
        failedSignIns: 0,
        passwordChangedAt: at(60),
      });
      expect(await liveSessions(h.db, u.id)).toBe(0);
      const history = await h.history(u.id);
      expect(history).toHaveLength(2);
      expect(history[1]!.passwordHash).toBe(after.passwordHash);

      const notification = (await h.outbox(flowId)).filter((m) => m.purpose === "notification");
      expect(notification).toHaveLength(1);
      expect(notification[0]).toMatchObject({ recipient: MOBILE, channel: "sms" });
      expect(notification[0]!.body).toContain("wachtwoord is zojuist gewijzigd");

      expect((await h.guard(token, "done", c, at(61))).step).toBe("done");
      expect(await h.events(flowId)).toEqual([
        "recovery.started",
        "recovery.intent_chosen",
        "recovery.number_checked",
        "recovery.code_sent",
        "message.handed_over",
        "recovery.code_verified",
        "password.reset",
        "message.queued",
        "message.handed_over",
      ]);
      for (const row of await h.audit(flowId))
        expect(row).toMatchObject({ userId: u.id, ip: c.ip, userAgent: "vitest/recovery", locale: "nl" });
    });

    it("unlock: the code unlocks the account, the password stays, a notification goes out", async () => {
      const u = await h.newUser({ locked: true });
      const c = h.client();
      const before = await h.user(u.id);
      await openUserSession(h.db, u.id);
      const { token, flowId, codes } = await h.toCode(u.email, c, { intent: "unlock" });
      expect(await h.user(u.id)).toEqual(before);
      expect(await verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx())).toEqual({ kind: "moved", step: "done" });

      const after = await h.user(u.id);
      expect(after).toMatchObject({
        lockedAt: null,
        lockedUntil: null,
        failedSignIns: 0,
        passwordHash: before.passwordHash,
      });
      expect(await liveSessions(h.db, u.id)).toBe(1);
      expect(await h.history(u.id)).toHaveLength(1);
      const notification = (await h.outbox(flowId)).filter((m) => m.purpose === "notification");
      expect(notification).toHaveLength(1);
      expect(notification[0]).toMatchObject({ recipient: MOBILE, channel: "sms" });
      expect(notification[0]!.body).toContain("account is zojuist ontgrendeld");
      expect(await h.events(flowId)).toEqual([
        "recovery.started",
        "recovery.intent_chosen",
        "recovery.number_checked",
        "recovery.code_sent",
        "message.handed_over",
        "recovery.code_verified",
        "account.unlocked",
        "message.queued",
        "message.handed_over",
      ]);
      // The unlock path has no password step.
      expect(await guardFlow(h.db, token, "password", c.ctx())).toEqual({ kind: "moved", step: "done" });
    });

    it("voice: the call speaks the code to the registered number, in the flow's language", async () => {
      const u = await h.newUser();
      const c = h.client("en");
      const { token, flowId, codes } = await h.toCode(u.email, c, { channel: "voice", typed: "+31 6 1234 5656" });
      const [message] = await h.outbox(flowId);
      expect(message).toMatchObject({ recipient: MOBILE, channel: "voice", locale: "en" });
      expect(message!.body).toContain(codes[0]!.split("").join(", "));
      expect(await verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx())).toEqual({
        kind: "moved",
        step: "password",
      });
    });
  });

  describe("the language of a message", () => {
    it("follows the page where it was asked for: started in Dutch, switched to English, the code and the notification are English", async () => {
      const u = await h.newUser();
      const dutch = h.client("nl");
      const { token, flowId } = await h.start(u.email, dutch);
      await chooseIntent(h.db, await h.guard(token, "intent", dutch), "unlock", dutch.ctx());
      // The same browser (same IP), now on an English page.
      const english = { ip: dutch.ip, ctx: (now = t0) => ({ ...dutch.ctx(now), context: { ...dutch.ctx(now).context, locale: "en" } }) };
      const verify = await h.guard(token, "verify", english);
      await submitNumber(h.db, verify, { channel: "sms", typed: MOBILE_NATIONAL, ...english.ctx() });
      const [codeMessage] = await h.outbox(flowId);
      expect(codeMessage).toMatchObject({ purpose: "code", locale: "en" });
      const [code] = await h.codes(flowId);
      await verifyCode(h.db, await h.guard(token, "code", english), code!, english.ctx());
      const notification = (await h.outbox(flowId)).find((m) => m.purpose === "notification");
      expect(notification).toMatchObject({ locale: "en" });
      expect(notification!.body).not.toContain("ontgrendeld");
    });
  });

  describe("the mobile number", () => {
    it.each(["0031612345656", "+31 6 1234 5656", "06-12345656", "06 12 34 56 56"])(
      "typed as %s matches, and the code goes to the registered number",
      async (typed) => {
        const u = await h.newUser();
        const c = h.client();
        const { flowId, codes } = await h.toCode(u.email, c, { typed });
        expect(codes).toHaveLength(1);
        expect((await h.outbox(flowId)).map((m) => m.recipient)).toEqual([MOBILE]);
        expect(await h.flowRow(flowId)).toMatchObject({ phoneMatched: true, phoneMismatches: 0, sends: 1 });
      },
    );

    it("a wrong number still moves to the code step, but nothing is sent and no code works", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c, { typed: OTHER_MOBILE });
      expect(codes).toEqual([]);
      expect(await h.outbox(flowId)).toEqual([]);
      expect(await h.flowRow(flowId)).toMatchObject({ step: "code", phoneMatched: false, phoneMismatches: 1, sends: 1 });
      const checked = (await h.audit(flowId)).find((r) => r.event === "recovery.number_checked");
      expect(checked).toMatchObject({ outcome: "failure", reason: "phone-mismatch", details: { mismatches: 1 } });
      expect(await verifyCode(h.db, await h.guard(token, "code", c), "123456", c.ctx())).toEqual({
        kind: "wrong-code",
        attemptsLeft: 4,
      });
      // A resend does not send either.
      expect(await resendCode(h.db, await h.guard(token, "code", c, at(60)), c.ctx(at(60)))).toEqual({
        kind: "moved",
        step: "code",
      });
      expect(await h.outbox(flowId)).toEqual([]);
    });

    it("something that is not a phone number is refused without counting as a wrong number", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.start(u.email, c);
      await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx());
      expect(await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed: "hallo", ...c.ctx() })).toEqual({
        kind: "invalid-number",
      });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "verify", phoneMismatches: 0, sends: 0 });
    });

    it("a mistyped number corrected at once: one code goes out, no cooldown, and that code works", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.toCode(u.email, c, { typed: OTHER_MOBILE });
      await changeMethod(h.db, await h.guard(token, "code", c, at(5)), c.ctx(at(5)));
      // The same wrong number again is held up (nothing to correct); the right one goes at once.
      const again = { channel: "sms", typed: OTHER_MOBILE, previous: OTHER_MOBILE } as const;
      expect(await submitNumber(h.db, await h.guard(token, "verify", c, at(8)), { ...again, ...c.ctx(at(8)) })).toMatchObject({
        kind: "cooldown",
      });
      const fixed = { channel: "sms", typed: MOBILE_NATIONAL, previous: OTHER_MOBILE } as const;
      expect(await submitNumber(h.db, await h.guard(token, "verify", c, at(10)), { ...fixed, ...c.ctx(at(10)) })).toEqual({
        kind: "moved",
        step: "code",
      });
      const codes = await h.codes(flowId);
      expect(codes).toHaveLength(1);
      expect(await verifyCode(h.db, await h.guard(token, "code", c, at(20)), codes[0]!, c.ctx(at(20)))).toEqual({
        kind: "moved",
        step: "password",
      });
    });

    it("three wrong numbers end the flow; two do not", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.toCode(u.email, c, { typed: OTHER_MOBILE });
      expect(await changeMethod(h.db, await h.guard(token, "code", c, at(10)), c.ctx(at(10)))).toEqual({
        kind: "moved",
        step: "verify",
      });
      // Another number only after the resend cooldown.
      expect(
        await submitNumber(h.db, await h.guard(token, "verify", c, at(30)), { channel: "sms", typed: OTHER_MOBILE, ...c.ctx(at(30)) }),
      ).toMatchObject({
        kind: "cooldown",
      });
      expect(
        await submitNumber(h.db, await h.guard(token, "verify", c, at(60)), { channel: "sms", typed: "0611111111", ...c.ctx(at(60)) }),
      ).toEqual({
        kind: "moved",
        step: "code",
      });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "code", phoneMismatches: 2 });
      await changeMethod(h.db, await h.guard(token, "code", c, at(70)), c.ctx(at(70)));
      expect(
        await submitNumber(h.db, await h.guard(token, "verify", c, at(120)), { channel: "sms", typed: OTHER_MOBILE, ...c.ctx(at(120)) }),
      ).toEqual({
        kind: "moved",
        step: "ended",
      });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "ended", endedReason: "phone-mismatch", phoneMismatches: 3 });
      expect(await h.outbox(flowId)).toEqual([]);
      const reasons = (await h.audit(flowId)).filter((r) => r.event === "recovery.number_checked").map((r) => r.reason);
      expect(reasons).toEqual(["phone-mismatch", "phone-mismatch", "phone-mismatch-limit"]);
      expect(await guardFlow(h.db, token, "verify", c.ctx(at(121)))).toEqual({ kind: "moved", step: "ended" });

      // Two wrong numbers, then the right one: the flow goes on and the code works.
      const v = await h.newUser();
      const d = h.client();
      const second = await h.toCode(v.email, d, { typed: OTHER_MOBILE });
      await changeMethod(h.db, await h.guard(second.token, "code", d), d.ctx());
      await submitNumber(h.db, await h.guard(second.token, "verify", d, at(60)), { channel: "sms", typed: OTHER_MOBILE, ...d.ctx(at(60)) });
      await changeMethod(h.db, await h.guard(second.token, "code", d, at(61)), d.ctx(at(61)));
      expect(
        await submitNumber(h.db, await h.guard(second.token, "verify", d, at(120)), {
          channel: "sms",
          typed: MOBILE_NATIONAL,
          ...d.ctx(at(120)),
        }),
      ).toEqual({
        kind: "moved",
        step: "code",
      });
      expect(await h.flowRow(second.flowId)).toMatchObject({ step: "code", phoneMismatches: 2, phoneMatched: true });
      const codes = await h.codes(second.flowId);
      expect(codes).toHaveLength(1);
      expect(await verifyCode(h.db, await h.guard(second.token, "code", d, at(130)), codes[0]!, d.ctx(at(130)))).toEqual({
        kind: "moved",
        step: "password",
      });
    });
  });

  describe("codes", () => {
    it("a wrong code is refused with the attempts left, and the right one still works", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      const right = codes[0]!;
      expect(await verifyCode(h.db, await h.guard(token, "code", c), wrongCode(right), c.ctx())).toEqual({
        kind: "wrong-code",
        attemptsLeft: 4,
      });
      expect(await verifyCode(h.db, await h.guard(token, "code", c), wrongCode(right, 2), c.ctx())).toEqual({
        kind: "wrong-code",
        attemptsLeft: 3,
      });
      expect((await codePageInfo(h.db, await h.guard(token, "code", c), t0)).attemptsLeft).toBe(3);
      const failed = (await h.audit(flowId)).filter((r) => r.event === "recovery.code_failed");
      expect(failed.map((r) => [r.outcome, r.reason, r.details])).toEqual([
        ["failure", "wrong-code", { attempts: 1 }],
        ["failure", "wrong-code", { attempts: 2 }],
      ]);
      expect(await verifyCode(h.db, await h.guard(token, "code", c), right, c.ctx())).toEqual({ kind: "moved", step: "password" });
      // Single use: the code is spent.
      expect(await verifyCode(h.db, { ...(await h.guard(token, "password", c)), step: "code" }, right, c.ctx())).toEqual({
        kind: "moved",
        step: "password",
      });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "password", codeAttempts: 3 });
    });

    it("a code is refused as expired after 10 minutes, and works just before", async () => {
      const u = await h.newUser();
      const c = h.client();
      const early = await h.toCode(u.email, c);
      expect(await verifyCode(h.db, await h.guard(early.token, "code", c, at(599.999)), early.codes[0]!, c.ctx(at(599.999)))).toEqual({
        kind: "moved",
        step: "password",
      });

      const late = await h.toCode(u.email, c);
      const tenMinutes = at(600);
      expect(await verifyCode(h.db, await h.guard(late.token, "code", c, tenMinutes), late.codes[0]!, c.ctx(tenMinutes))).toEqual({
        kind: "expired-code",
        attemptsLeft: 4,
      });
      const failed = (await h.audit(late.flowId)).find((r) => r.event === "recovery.code_failed");
      expect(failed).toMatchObject({ outcome: "failure", reason: "expired-code" });
      // A new code (the flow itself still has 5 minutes) works.
      expect(await resendCode(h.db, await h.guard(late.token, "code", c, tenMinutes), c.ctx(tenMinutes))).toEqual({
        kind: "moved",
        step: "code",
      });
      const codes = await h.codes(late.flowId);
      expect(codes).toHaveLength(2);
      expect(await verifyCode(h.db, await h.guard(late.token, "code", c, at(601)), codes[1]!, c.ctx(at(601)))).toEqual({
        kind: "moved",
        step: "password",
      });
    });

    it("after 5 wrong tries the flow ends, and the 6th try is refused even with the right code", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      const right = codes[0]!;
      const stale = await h.guard(token, "code", c);
      const results = [];
      for (let i = 1; i <= 5; i++) results.push(await verifyCode(h.db, await h.guard(token, "code", c), wrongCode(right, i), c.ctx()));
      expect(results).toEqual([
        { kind: "wrong-code", attemptsLeft: 4 },
        { kind: "wrong-code", attemptsLeft: 3 },
        { kind: "wrong-code", attemptsLeft: 2 },
        { kind: "wrong-code", attemptsLeft: 1 },
        { kind: "moved", step: "ended" },
      ]);
      expect(await h.flowRow(flowId)).toMatchObject({ step: "ended", endedReason: "too-many-attempts", codeAttempts: 5 });
      // The 6th try, right code, through an old copy of the flow that still says "code".
      expect(await verifyCode(h.db, stale, right, c.ctx())).toEqual({ kind: "moved", step: "ended" });
      expect(await guardFlow(h.db, token, "code", c.ctx())).toEqual({ kind: "moved", step: "ended" });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "ended", codeAttempts: 5 });
      expect((await h.audit(flowId)).filter((r) => r.event === "recovery.code_failed").map((r) => r.reason)).toEqual([
        "wrong-code",
        "wrong-code",
        "wrong-code",
        "wrong-code",
        "too-many-attempts",
      ]);
      expect(await h.history(u.id)).toHaveLength(1);
    });
  });

  describe("resending", () => {
    it("waits 60 seconds: refused at 59 s, allowed at 60 s", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.toCode(u.email, c);
      expect(await codePageInfo(h.db, await h.guard(token, "code", c, at(59)), at(59))).toMatchObject({ cooldownSeconds: 1, sendsLeft: 2 });
      expect(await resendCode(h.db, await h.guard(token, "code", c, at(59)), c.ctx(at(59)))).toEqual({
        kind: "cooldown",
        retryAt: at(60),
      });
      expect(await h.codes(flowId)).toHaveLength(1);
      expect((await h.audit(flowId)).find((r) => r.event === "recovery.code_resend_refused")).toMatchObject({
        outcome: "refused",
        reason: "cooldown",
      });
      expect(await codePageInfo(h.db, await h.guard(token, "code", c, at(60)), at(60))).toMatchObject({ cooldownSeconds: 0 });
      expect(await resendCode(h.db, await h.guard(token, "code", c, at(60)), c.ctx(at(60)))).toEqual({
        kind: "moved",
        step: "code",
      });
      expect(await h.codes(flowId)).toHaveLength(2);
      expect(await h.flowRow(flowId)).toMatchObject({ sends: 2, lastSentAt: at(60) });
    });

    it("sends at most 3 codes per flow: the 4th is refused", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.toCode(u.email, c);
      for (const s of [60, 120])
        expect(await resendCode(h.db, await h.guard(token, "code", c, at(s)), c.ctx(at(s)))).toEqual({
          kind: "moved",
          step: "code",
        });
      expect(await resendCode(h.db, await h.guard(token, "code", c, at(180)), c.ctx(at(180)))).toEqual({
        kind: "send-limit",
      });
      expect(await resendCode(h.db, await h.guard(token, "code", c, at(600)), c.ctx(at(600)))).toEqual({
        kind: "send-limit",
      });
      expect(await h.codes(flowId)).toHaveLength(3);
      expect((await codePageInfo(h.db, await h.guard(token, "code", c, at(181)), at(181))).sendsLeft).toBe(0);
      expect((await h.audit(flowId)).filter((r) => r.event === "recovery.code_resend_refused").map((r) => r.reason)).toEqual([
        "send-limit",
        "send-limit",
      ]);
      // Going back to type the number again does not get around the limit either.
      await changeMethod(h.db, await h.guard(token, "code", c, at(601)), c.ctx(at(601)));
      expect(
        await submitNumber(h.db, await h.guard(token, "verify", c, at(602)), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(602)) }),
      ).toEqual({
        kind: "send-limit",
      });
      expect(await h.codes(flowId)).toHaveLength(3);
    });

    it("a wrong number typed after a right one voids the code sent earlier", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, codes } = await h.toCode(u.email, c);
      expect(await changeMethod(h.db, await h.guard(token, "code", c, at(5)), c.ctx(at(5)))).toEqual({
        kind: "moved",
        step: "verify",
      });
      const verify = await h.guard(token, "verify", c, at(60));
      expect(await submitNumber(h.db, verify, { channel: "sms", typed: OTHER_MOBILE, ...c.ctx(at(60)) })).toEqual({
        kind: "moved",
        step: "code",
      });
      expect(await verifyCode(h.db, await h.guard(token, "code", c, at(61)), codes[0]!, c.ctx(at(61)))).toMatchObject({
        kind: "wrong-code",
      });
    });

    it("a new code voids the old one and does not reset the failure count", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      const old = codes[0]!;
      expect(await verifyCode(h.db, await h.guard(token, "code", c, at(10)), wrongCode(old), c.ctx(at(10)))).toMatchObject({
        attemptsLeft: 4,
      });
      await resendCode(h.db, await h.guard(token, "code", c, at(60)), c.ctx(at(60)));
      const fresh = (await h.codes(flowId))[1]!;
      expect((await codePageInfo(h.db, await h.guard(token, "code", c, at(61)), at(61))).attemptsLeft).toBe(4);
      if (fresh !== old) {
        expect(await verifyCode(h.db, await h.guard(token, "code", c, at(61)), old, c.ctx(at(61)))).toEqual({
          kind: "wrong-code",
          attemptsLeft: 3,
        });
      }
      expect(await verifyCode(h.db, await h.guard(token, "code", c, at(62)), fresh, c.ctx(at(62)))).toEqual({
        kind: "moved",
        step: "password",
      });
      expect((await h.flowRow(flowId)).codeAttempts).toBe(fresh !== old ? 3 : 2);
    });
  });

  describe("the new password", () => {
    async function atPassword(lastName = "Jansen") {
      const u = await h.newUser({ lastName });
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      await verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx());
      const choose = async (password: string, confirmation = password) =>
        chooseNewPassword(h.db, await h.guard(token, "password", c, at(30)), { password, confirmation, ...c.ctx(at(30)) });
      return { u, c, token, flowId, choose };
    }

    it("names every broken rule, and changes nothing until all pass", async () => {
      const { u, flowId, choose } = await atPassword("Jansen");
      const before = await h.user(u.id);
      await openUserSession(h.db, u.id);
      const cases: [string, string, string[]][] = [
        ["Kort1Ab", "Kort1Ab", ["length"]],
        ["zonderhoofdletter1", "zonderhoofdletter1", ["uppercase"]],
        ["ZonderCijfers!", "ZonderCijfers!", ["digit"]],
        ["Welkom2026Jansen", "Welkom2026Jansen", ["lastName"]],
        ["welkomJANSEN2026", "welkomJANSEN2026", ["lastName"]],
        ["Welkom2026!abc", "Welkom2026!abd", ["confirmation"]],
        [PASSWORD, PASSWORD, ["history"]],
        // Guessable (lib/password/check.ts), and a near-miss of the current password: each named.
        ["Welkom01!", "Welkom01!", ["common"]],
        ["Zomer2026!", "Zomer2026!", ["seasonal"]],
        ["Flynth2026!", "Flynth2026!", ["organisation"]],
        [PASSWORD.replace("2026", "2027"), PASSWORD.replace("2026", "2027"), ["previous"]],
        ["abc", "abd", ["length", "uppercase", "digit", "confirmation"]],
        [`A1${"x".repeat(127)}`, `A1${"x".repeat(127)}`, ["maxLength"]],
      ];
      for (const [password, confirmation, rules] of cases) {
        expect(await choose(password, confirmation), password).toEqual({ kind: "rules", rules });
      }
      expect(await h.user(u.id)).toEqual(before);
      expect(await h.history(u.id)).toHaveLength(1);
      expect((await h.flowRow(flowId)).step).toBe("password");
      const rejected = (await h.audit(flowId)).filter((r) => r.event === "recovery.password_rejected");
      expect(rejected.map((r) => r.reason)).toEqual(cases.map(([, , rules]) => rules.join(",")));
      expect(await choose(NEW_PASSWORD)).toEqual({ kind: "moved", step: "done" });
    });

    it("Dutch compound last names: every part of 3+ letters counts, tussenvoegsels do not", async () => {
      const berg = await atPassword("van der Berg");
      expect(await berg.choose("Bergwandeling2026")).toEqual({ kind: "rules", rules: ["lastName"] });
      expect(await berg.choose("Vanderbilt2026", "Vanderbilt2026")).toEqual({ kind: "moved", step: "done" });

      const vries = await atPassword("Jansen-de Vries");
      expect(await vries.choose("Vriesland2026")).toEqual({ kind: "rules", rules: ["lastName"] });
      expect(await vries.choose("JANSEN2026zomer")).toEqual({ kind: "rules", rules: ["lastName"] });
      expect(await vries.choose("Zutphen-Kade-2026!")).toEqual({ kind: "moved", step: "done" });
    });
  });

  describe("step order", () => {
    it("asking for a later (or earlier) step redirects to the real one and is audited", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.start(u.email, c);
      for (const step of ["verify", "code", "password", "done"] as const) {
        expect(await guardFlow(h.db, token, step, c.ctx()), step).toEqual({ kind: "moved", step: "intent" });
      }
      await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx());
      await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx() });
      expect(await guardFlow(h.db, token, "password", c.ctx())).toEqual({ kind: "moved", step: "code" });
      expect(await guardFlow(h.db, token, "intent", c.ctx())).toEqual({ kind: "moved", step: "code" });
      expect(await guardFlow(h.db, token, ["intent", "verify"], c.ctx())).toEqual({ kind: "moved", step: "code" });
      const violations = (await h.audit(flowId)).filter((r) => r.event === "recovery.step_violation");
      expect(violations.map((r) => [r.outcome, r.reason])).toEqual([
        ["refused", "wanted-verify-at-intent"],
        ["refused", "wanted-code-at-intent"],
        ["refused", "wanted-password-at-intent"],
        ["refused", "wanted-done-at-intent"],
        ["refused", "wanted-password-at-code"],
        ["refused", "wanted-intent-at-code"],
        ["refused", "wanted-intent|verify-at-code"],
      ]);
      expect(violations.every((r) => r.userId === u.id && r.ip === c.ip)).toBe(true);
      expect((await h.flowRow(flowId)).step).toBe("code");
    });

    it("no token, or a token that matches no flow, goes back to the start", async () => {
      const c = h.client();
      expect(await guardFlow(h.db, null, "code", c.ctx())).toEqual({ kind: "restart" });
      expect(await guardFlow(h.db, "bm90LWEtcmVhbC10b2tlbg", "code", c.ctx())).toEqual({ kind: "restart" });
      expect(await loadFlow(h.db, "bm90LWEtcmVhbC10b2tlbg")).toBeNull();
    });

    it("a replayed old token or copy of the flow never rolls a counter back", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      const staleCode = await h.guard(token, "code", c);
      for (const salt of [1, 2]) await verifyCode(h.db, await h.guard(token, "code", c), wrongCode(codes[0]!, salt), c.ctx());
      // The same cookie, read again, sees the current counters.
      expect(await loadFlow(h.db, token)).toMatchObject({ codeAttempts: 2, sends: 1 });
      expect((await codePageInfo(h.db, (await loadFlow(h.db, token))!, t0)).attemptsLeft).toBe(3);
      // An old copy (codeAttempts 0) counts on top of the stored counter, not from its own.
      expect(await verifyCode(h.db, staleCode, wrongCode(codes[0]!, 3), c.ctx())).toEqual({
        kind: "wrong-code",
        attemptsLeft: 2,
      });
      expect(await h.flowRow(flowId)).toMatchObject({ codeAttempts: 3 });
      // An old copy cannot resend as if nothing had been sent since.
      await resendCode(h.db, await h.guard(token, "code", c, at(60)), c.ctx(at(60)));
      expect(await resendCode(h.db, staleCode, c.ctx(at(61)))).toEqual({ kind: "moved", step: "code" });
      expect(await h.flowRow(flowId)).toMatchObject({ sends: 2, lastSentAt: at(60), codeAttempts: 3 });
      expect(await h.codes(flowId)).toHaveLength(2);
      // Nor go back to an earlier step.
      expect(await changeMethod(h.db, { ...staleCode, codeAttempts: 0, sends: 1 }, c.ctx(at(62)))).toEqual({
        kind: "moved",
        step: "code",
      });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "code", sends: 2, codeAttempts: 3 });
    });

    it("a flow past 15 minutes ends as expired", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.toCode(u.email, c);
      expect((await h.guard(token, "code", c, at(15 * 60 - 0.001))).step).toBe("code");
      expect(await guardFlow(h.db, token, "code", c.ctx(at(15 * 60)))).toEqual({ kind: "moved", step: "ended" });
      expect(await h.flowRow(flowId)).toMatchObject({ step: "ended", endedReason: "expired" });
      expect(await h.events(flowId)).toContain("recovery.expired");
      // It stays ended.
      expect(await guardFlow(h.db, token, "code", c.ctx(at(16 * 60)))).toEqual({ kind: "moved", step: "ended" });
    });

    it("a finished flow cannot be reused: every step lands on done; a second password is told the flow had finished", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.start(u.email, c);
      const staleIntent = await h.guard(token, "intent", c);
      await chooseIntent(h.db, staleIntent, "reset", c.ctx());
      const staleVerify = await h.guard(token, "verify", c);
      await submitNumber(h.db, staleVerify, { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx() });
      const staleCode = await h.guard(token, "code", c);
      const [code] = await h.codes(flowId);
      await verifyCode(h.db, staleCode, code!, c.ctx());
      const stalePassword = await h.guard(token, "password", c);
      await chooseNewPassword(h.db, stalePassword, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx() });
      const doneUser = await h.user(u.id);
      const messages = (await h.outbox(flowId)).length;

      for (const step of ["intent", "verify", "code", "password"] as const) {
        expect(await guardFlow(h.db, token, step, c.ctx(at(61))), step).toEqual({ kind: "moved", step: "done" });
      }
      const later = c.ctx(at(120));
      expect(await chooseIntent(h.db, staleIntent, "unlock", later)).toEqual({ kind: "moved", step: "done" });
      expect(await submitNumber(h.db, staleVerify, { channel: "sms", typed: MOBILE_NATIONAL, ...later })).toEqual({
        kind: "moved",
        step: "done",
      });
      expect(await resendCode(h.db, staleCode, later)).toEqual({ kind: "moved", step: "done" });
      expect(await changeMethod(h.db, staleCode, later)).toEqual({ kind: "moved", step: "done" });
      expect(await verifyCode(h.db, staleCode, code!, later)).toEqual({ kind: "moved", step: "done" });
      // A second password for a flow already done was not set: it is told the flow had finished, never "done" again.
      expect(
        await chooseNewPassword(h.db, stalePassword, { password: "Winter2028!anders", confirmation: "Winter2028!anders", ...later }),
      ).toEqual({ kind: "finished" });
      await cancelFlow(h.db, staleCode, later);

      expect(await h.flowRow(flowId)).toMatchObject({ step: "done", endedReason: null, intent: "reset", sends: 1 });
      expect(await h.user(u.id)).toEqual(doneUser);
      expect(await h.history(u.id)).toHaveLength(2);
      expect(await h.outbox(flowId)).toHaveLength(messages);
      expect((await h.events(flowId)).filter((e) => e === "password.reset" || e === "recovery.cancelled")).toEqual(["password.reset"]);
    });

    it.each(["intent", "verify", "code", "password"] as const)("cancel at the %s step ends the flow", async (step) => {
      const u = await h.newUser({ locked: true });
      const c = h.client();
      const { token, flowId } = await h.start(u.email, c);
      if (step !== "intent") await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx());
      if (step === "code" || step === "password") {
        await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx() });
      }
      if (step === "password") await verifyCode(h.db, await h.guard(token, "code", c), (await h.codes(flowId))[0]!, c.ctx());
      const before = await h.user(u.id);
      await openUserSession(h.db, u.id);

      await cancelFlow(h.db, await h.guard(token, step, c, at(5)), c.ctx(at(5)));
      expect(await h.flowRow(flowId)).toMatchObject({ step: "ended", endedReason: "cancelled" });
      expect((await h.audit(flowId)).find((r) => r.event === "recovery.cancelled")).toMatchObject({
        outcome: "info",
        reason: `at-${step}`,
      });
      for (const s of ["intent", "verify", "code", "password", "done"] as const) {
        expect(await guardFlow(h.db, token, s, c.ctx(at(6)))).toEqual({ kind: "moved", step: "ended" });
      }
      // Nothing about the account changed, not even the lock.
      expect(await h.user(u.id)).toEqual(before);
      expect(before.lockedAt).toEqual(t0);
    });
  });

  describe("the audit trail", () => {
    it("after a full run holds no code, password or phone number, and every step wrote its event", async () => {
      const u = await h.newUser();
      const c = h.client();
      const rejected = "Jansen2026Geheim";
      const { token, flowId } = await h.toCode(u.email, c, { typed: "+31 6 1234 5656" });
      const firstCodes = await h.codes(flowId);
      await verifyCode(h.db, await h.guard(token, "code", c, at(5)), wrongCode(firstCodes[0]!), c.ctx(at(5)));
      await resendCode(h.db, await h.guard(token, "code", c, at(30)), c.ctx(at(30)));
      await resendCode(h.db, await h.guard(token, "code", c, at(60)), c.ctx(at(60)));
      const codes = await h.codes(flowId);
      expect(codes).toHaveLength(2);
      await verifyCode(h.db, await h.guard(token, "code", c, at(70)), codes[1]!, c.ctx(at(70)));
      await guardFlow(h.db, token, "code", c.ctx(at(80)));
      await chooseNewPassword(h.db, await h.guard(token, "password", c, at(90)), {
        password: rejected,
        confirmation: rejected,
        ...c.ctx(at(90)),
      });
      await chooseNewPassword(h.db, await h.guard(token, "password", c, at(100)), {
        password: NEW_PASSWORD,
        confirmation: "x" + NEW_PASSWORD,
        ...c.ctx(at(100)),
      });
      await chooseNewPassword(h.db, await h.guard(token, "password", c, at(110)), {
        password: NEW_PASSWORD,
        confirmation: NEW_PASSWORD,
        ...c.ctx(at(110)),
      });
      await h.flush();

      expect(await h.events(flowId)).toEqual([
        "recovery.started",
        "recovery.intent_chosen",
        "recovery.number_checked",
        "recovery.code_sent",
        "message.handed_over",
        "recovery.code_failed",
        "recovery.code_resend_refused",
        "recovery.code_sent",
        "message.handed_over",
        "recovery.code_verified",
        "recovery.step_violation",
        "recovery.password_rejected",
        "recovery.password_rejected",
        "password.reset",
        "message.queued",
        "message.handed_over",
      ]);
      const rows = await h.audit(flowId);
      for (const row of rows) {
        expect(row).toMatchObject({ flowId, userId: u.id, ip: c.ip, userAgent: "vitest/recovery", locale: "nl" });
        expect(row.at.getTime()).toBeGreaterThanOrEqual(t0.getTime());
      }
      expect(rows.find((r) => r.event === "recovery.number_checked")).toMatchObject({
        outcome: "success",
        reason: "sms",
        details: { lastDigits: "56" },
      });

      // Every audit row of the whole database, every column, as text.
      const texts = await h.auditAsText();
      expect(texts.length).toBeGreaterThan(rows.length);
      // Identifiers (uuids, hex hashes) are random hex; a code "inside" one would be chance, not a leak.
      const scrubbed = texts.map((t) =>
        t.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>").replace(/[0-9a-f]{32,}/gi, "<hex>"),
      );
      const leaks = (needle: RegExp) => scrubbed.filter((t) => needle.test(t));
      for (const code of [...firstCodes, ...codes]) expect(leaks(new RegExp(`(?<!\\d)${code}(?!\\d)`)), code).toEqual([]);
      for (const secret of [NEW_PASSWORD, rejected, PASSWORD])
        expect(
          texts.filter((t) => t.includes(secret)),
          secret,
        ).toEqual([]);
      // Not the number in any form: E.164, national, or its last 8 digits (only the last two may be shown).
      for (const phone of [MOBILE, MOBILE_NATIONAL, "12345656", "1234 5656", "12 34 56 56", "612345656"]) {
        expect(
          texts.filter((t) => t.includes(phone)),
          phone,
        ).toEqual([]);
      }
      // The database keeps only keyed hashes of codes; the clear code is in the message text (the outbox) alone.
      const stored = rowsOf<{ t: string }>(
        await h.db.execute(sql`select v::text as t from verification_codes v where flow_id = ${flowId}`),
      ).map((r) => r.t);
      expect(stored).toHaveLength(2);
      const storedScrubbed = stored.map((t) =>
        t.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<uuid>").replace(/[0-9a-f]{32,}/gi, "<hex>"),
      );
      for (const code of [...firstCodes, ...codes])
        expect(
          storedScrubbed.filter((t) => new RegExp(`(?<!\\d)${code}(?!\\d)`).test(t)),
          code,
        ).toEqual([]);
      expect((await h.outbox(flowId)).filter((m) => m.purpose === "code").map((m) => m.body.includes(codes.at(-1)!))).toContain(true);
    });
  });

  it("the users table keeps no trace of a flow that was only started", async () => {
    const u = await h.newUser();
    const c = h.client();
    const [before] = await h.db.select().from(users).where(eq(users.id, u.id));
    await h.toCode(u.email, c, { typed: OTHER_MOBILE });
    const [after] = await h.db.select().from(users).where(eq(users.id, u.id));
    expect(after).toEqual(before);
  });
});
