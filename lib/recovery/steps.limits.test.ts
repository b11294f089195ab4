// The recovery service on both drivers: unknown and phone-less IDs walk like everyone else and never get a message,
// and every limit (flow starts per ID and per IP, code failures per account, CAPTCHA per IP) holds at its edge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { drivers, freshDb } from "@/tests/db";
import { userIdKey } from "@/lib/users/normalize";
import { maskedDigitsFor } from "@/lib/security/masked-digits";
import { guardFlow } from "./flow-store";
import { codePageInfo } from "./page-info";
import { changeMethod, chooseIntent, noteCaptchaAttempt, resendCode, startRecovery, submitNumber, verifyCode } from "./steps";
import { Harness, MOBILE_NATIONAL, OTHER_MOBILE, at, t0, wrongCode, type Client } from "./steps.test-helper";

const HOUR = 3600;
const DAY = 24 * HOUR;

describe.each(drivers())("recovery service limits and unknown IDs on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 2);
  });
  afterAll(async () => {
    await handle?.close();
  });

  describe("unknown user IDs and users without a mobile number", () => {
    it("an unknown ID starts a flow with stable masked digits: the same for every spelling of one ID, different between IDs", async () => {
      const c = h.client();
      const id = "Onbekend.Persoon@Example.nl";
      const masked = [];
      for (const typed of [id, "  onbekend.persoon@example.nl ", "ONBEKEND.PERSOON@EXAMPLE.NL"]) {
        const { token, flowId } = await h.start(typed, c);
        masked.push((await h.guard(token, "intent", c)).maskedDigits);
        const [started] = await h.audit(flowId);
        expect(started).toMatchObject({ event: "recovery.started", outcome: "success", reason: "unknown-user-id", userId: null });
        expect(started!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(masked[0]).toMatch(/^\d\d$/);
      expect(new Set(masked).size).toBe(1);
      expect(maskedDigitsFor(null, userIdKey(id))).toBe(masked[0]);
      // Stable over time too: a later flow for the same ID shows the same digits.
      const later = await h.start(id, c, at(HOUR));
      expect((await h.guard(later.token, "intent", c, at(HOUR))).maskedDigits).toBe(masked[0]);

      const other = await h.start("Ander.Persoon@example.nl", c);
      expect((await h.guard(other.token, "intent", c)).maskedDigits).not.toBe(masked[0]);
      expect(maskedDigitsFor(null, userIdKey("Nog.Iemand@example.nl"))).not.toBe(masked[0]);
    });

    /** Walks one flow through every step an attacker could probe, recording only what the user would see. */
    async function probe(typedId: string, c: Client, typed: string) {
      const seen: unknown[] = [];
      const started = await startRecovery(h.db, { typedId, intent: null, ...c.ctx() });
      seen.push(started.kind);
      if (started.kind !== "started") return { seen, flowId: null };
      const { token, flowId } = started;
      seen.push(await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx()));
      seen.push(await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed, ...c.ctx() }));
      const { masked: _masked, ...info } = await codePageInfo(h.db, await h.guard(token, "code", c), t0);
      seen.push(info);
      seen.push(await verifyCode(h.db, await h.guard(token, "code", c, at(5)), "123456", c.ctx(at(5))));
      seen.push(await resendCode(h.db, await h.guard(token, "code", c, at(59)), c.ctx(at(59))));
      seen.push(await verifyCode(h.db, await h.guard(token, "code", c, at(61)), "654321", c.ctx(at(61))));
      seen.push(await changeMethod(h.db, await h.guard(token, "code", c, at(62)), c.ctx(at(62))));
      seen.push(await submitNumber(h.db, await h.guard(token, "verify", c, at(120)), { channel: "voice", typed, ...c.ctx(at(120)) }));
      seen.push(await changeMethod(h.db, await h.guard(token, "code", c, at(121)), c.ctx(at(121))));
      seen.push(await submitNumber(h.db, await h.guard(token, "verify", c, at(180)), { channel: "sms", typed, ...c.ctx(at(180)) }));
      seen.push(await guardFlow(h.db, token, "code", c.ctx(at(181))));
      return { seen, flowId };
    }

    it("an unknown ID and a user without a mobile number see exactly what a known user with a wrong number sees, and nothing is ever sent", async () => {
      const known = await h.newUser();
      const phoneless = await h.newUser({ mobile: null });
      const c = h.client();
      const reference = await probe(known.email, c, OTHER_MOBILE);
      expect(reference.seen.at(-1)).toEqual({ kind: "moved", step: "ended" });
      expect(reference.seen[4]).toEqual({ kind: "wrong-code", attemptsLeft: 4 });

      const runs = [
        await probe(h.unknownId(), c, OTHER_MOBILE),
        // Typing "the" number (what the user believes is registered) changes nothing for an ID without one.
        await probe(h.unknownId(), c, MOBILE_NATIONAL),
        await probe(phoneless.email, c, MOBILE_NATIONAL),
        await probe(phoneless.email, c, OTHER_MOBILE),
      ];
      for (const run of runs) {
        expect(run.seen).toEqual(reference.seen);
        expect(await h.outbox(run.flowId!)).toEqual([]);
        expect(await h.flowRow(run.flowId!)).toMatchObject({ step: "ended", endedReason: "phone-mismatch", phoneMatched: false });
      }
      expect(await h.outbox(reference.flowId!)).toEqual([]);
      // The unknown IDs' audit rows name a keyed hash, never an account.
      for (const row of await h.audit(runs[0]!.flowId!)) {
        expect(row.userId).toBeNull();
        expect(row.subjectHash).toMatch(/^[0-9a-f]{64}$/);
      }
      // The phone-less user's masked digits are the keyed-hash kind, as for an unknown ID.
      expect((await h.flowRow(runs[2]!.flowId!)).maskedDigits).toBe(maskedDigitsFor(null, userIdKey(phoneless.email)));
    });
  });

  describe("flow starts", () => {
    it("per user ID: the 5th start in 24 h is allowed, the 6th refused until the window has passed", async () => {
      const u = await h.newUser();
      const results = [];
      for (let i = 0; i < 6; i++) {
        const r = await startRecovery(h.db, { typedId: u.email, intent: null, ...h.client().ctx(at(i * HOUR)) });
        results.push(r.kind === "rate-limited" ? r : r.kind);
      }
      expect(results).toEqual(["started", "started", "started", "started", "started", { kind: "rate-limited", retryAt: at(DAY) }]);
      const refused = await h.auditWhere({ event: "recovery.rate_limited", userId: u.id });
      expect(refused.map((r) => [r.outcome, r.reason])).toEqual([["refused", "flow-starts-per-user"]]);
      expect((await startRecovery(h.db, { typedId: u.email, intent: null, ...h.client().ctx(at(DAY - 1)) })).kind).toBe("rate-limited");
      expect((await startRecovery(h.db, { typedId: u.email, intent: null, ...h.client().ctx(at(DAY)) })).kind).toBe("started");
    });

    it("per user ID counts unknown IDs too, every spelling of one ID together", async () => {
      const id = h.unknownId();
      const spellings = [id, id.toUpperCase(), ` ${id} `, id, id.toLowerCase(), id];
      const kinds = [];
      for (const typed of spellings) kinds.push((await startRecovery(h.db, { typedId: typed, intent: null, ...h.client().ctx(t0) })).kind);
      expect(kinds).toEqual(["started", "started", "started", "started", "started", "rate-limited"]);
      // Another unknown ID is not affected.
      expect((await startRecovery(h.db, { typedId: h.unknownId(), intent: null, ...h.client().ctx(t0) })).kind).toBe("started");
      expect((await startRecovery(h.db, { typedId: id, intent: null, ...h.client().ctx(at(DAY)) })).kind).toBe("started");
    });

    it("per IP: the 20th start in an hour is allowed, the 21st refused until the hour has passed", async () => {
      const c = h.client();
      const kinds = [];
      for (let i = 0; i < 21; i++) {
        const r = await startRecovery(h.db, { typedId: h.unknownId(), intent: null, ...c.ctx(at(i)) });
        kinds.push(r.kind === "rate-limited" ? r : r.kind);
      }
      expect(kinds.slice(0, 20)).toEqual(Array(20).fill("started"));
      expect(kinds[20]).toEqual({ kind: "rate-limited", retryAt: at(HOUR) });
      const refused = await h.auditWhere({ event: "recovery.rate_limited", ip: c.ip });
      expect(refused.map((r) => r.reason)).toEqual(["flow-starts-per-ip"]);
      // Another IP still gets in; this one again once the hour is over.
      expect((await startRecovery(h.db, { typedId: h.unknownId(), intent: null, ...h.client().ctx(at(30)) })).kind).toBe("started");
      expect((await startRecovery(h.db, { typedId: h.unknownId(), intent: null, ...c.ctx(at(HOUR - 1)) })).kind).toBe("rate-limited");
      expect((await startRecovery(h.db, { typedId: h.unknownId(), intent: null, ...c.ctx(at(HOUR)) })).kind).toBe("started");
    });
  });

  describe("code failures per account", () => {
    /** Puts a flow on the code step at `now` and fails `n` codes there. */
    async function failCodes(typedId: string, c: Client, now: Date, n: number) {
      const flow = await h.toCode(typedId, c, { now });
      for (let i = 1; i <= n; i++) {
        const right = flow.codes[0] ?? "000000";
        await verifyCode(h.db, await h.guard(flow.token, "code", c, now), wrongCode(right, i), c.ctx(now));
      }
      return flow;
    }

    it("after 10 failures in 24 h the account is blocked: new starts refused, a flow in progress ends, until the window has passed", async () => {
      const u = await h.newUser();
      const c = h.client();
      const a = await failCodes(u.email, c, t0, 5);
      expect((await h.flowRow(a.flowId)).endedReason).toBe("too-many-attempts");
      const b = await failCodes(u.email, c, at(HOUR), 4);
      // 9 failures: a new start is still allowed.
      const later = (s: number) => at(HOUR + 60 + s);
      const inProgress = await h.toCode(u.email, c, { now: later(0) });
      expect(await verifyCode(h.db, await h.guard(b.token, "code", c, later(10)), wrongCode(b.codes[0]!, 5), c.ctx(later(10)))).toEqual({
        kind: "moved",
        step: "ended",
      });
      // The 10th failure: blocked, counted from the first failure.
      expect(await startRecovery(h.db, { typedId: u.email, intent: null, ...c.ctx(later(20)) })).toEqual({
        kind: "blocked",
        retryAt: at(DAY),
      });
      // Even the right code no longer helps in the flow that was already going.
      expect(await verifyCode(h.db, await h.guard(inProgress.token, "code", c, later(30)), inProgress.codes[0]!, c.ctx(later(30)))).toEqual(
        {
          kind: "moved",
          step: "ended",
        },
      );
      expect(await h.flowRow(inProgress.flowId)).toMatchObject({ step: "ended", endedReason: "blocked", codeAttempts: 0 });
      const refused = await h.auditWhere({ event: "recovery.rate_limited", userId: u.id });
      expect(refused.map((r) => [r.outcome, r.reason])).toEqual([
        ["refused", "code-failures-per-account"],
        ["refused", "code-failures-per-account"],
      ]);
      expect((await h.user(u.id)).passwordHash).toBe((await h.history(u.id))[0]!.passwordHash);

      expect((await startRecovery(h.db, { typedId: u.email, intent: null, ...c.ctx(at(DAY - 1)) })).kind).toBe("blocked");
      const next = await h.toCode(u.email, c, { now: at(DAY) });
      expect(await verifyCode(h.db, await h.guard(next.token, "code", c, at(DAY)), next.codes[0]!, c.ctx(at(DAY)))).toEqual({
        kind: "moved",
        step: "password",
      });
    });

    it("an unknown ID is never blocked by wrong codes, like a known ID whose typed number did not match (no code was sent)", async () => {
      const id = h.unknownId();
      const c = h.client();
      await failCodes(id, c, t0, 5);
      await failCodes(id.toUpperCase(), c, at(60), 5);
      await failCodes(id, c, at(120), 5);
      expect((await startRecovery(h.db, { typedId: id, intent: null, ...c.ctx(at(180)) })).kind).toBe("started");
    });
  });

  describe("CAPTCHA", () => {
    it("a wrong answer is audited with the typed ID's keyed hash, a right one is not", async () => {
      const c = h.client();
      const id = h.unknownId();
      expect(await noteCaptchaAttempt(h.db, { ok: false, typedId: ` ${id.toUpperCase()}`, ...c.ctx() })).toEqual({ limited: false });
      expect(await noteCaptchaAttempt(h.db, { ok: true, typedId: id, ...c.ctx() })).toEqual({ limited: false });
      const failed = await h.auditWhere({ event: "recovery.captcha_failed", ip: c.ip });
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        outcome: "failure",
        reason: "wrong-captcha",
        userId: null,
        userAgent: "vitest/recovery",
        locale: "nl",
      });
      const { flowId } = await h.start(id, c);
      expect(failed[0]!.subjectHash).toBe((await h.flowRow(flowId)).subjectHash);
      expect(JSON.stringify(failed[0])).not.toContain(id.split("@")[0]!);
    });

    it("per IP: 60 tries an hour, the 61st is refused until the hour has passed", async () => {
      const c = h.client();
      const results = [];
      for (let i = 0; i < 61; i++)
        results.push(await noteCaptchaAttempt(h.db, { ok: i % 2 === 0, typedId: "iemand@example.nl", ...c.ctx(at(i)) }));
      expect(results.slice(0, 60).every((r) => !r.limited)).toBe(true);
      expect(results[60]).toEqual({ limited: true, retryAt: at(HOUR) });
      const refused = await h.auditWhere({ event: "recovery.rate_limited", ip: c.ip });
      expect(refused.map((r) => [r.outcome, r.reason])).toEqual([["refused", "captcha-per-ip"]]);
      expect((await h.auditWhere({ event: "recovery.captcha_failed", ip: c.ip })).length).toBe(30);
      expect(await noteCaptchaAttempt(h.db, { ok: true, typedId: "iemand@example.nl", ...h.client().ctx(at(61)) })).toEqual({
        limited: false,
      });
      expect(await noteCaptchaAttempt(h.db, { ok: true, typedId: "iemand@example.nl", ...c.ctx(at(HOUR)) })).toEqual({ limited: false });
    });
  });
});
