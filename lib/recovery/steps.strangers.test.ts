// Lock-out and pumping by strangers, on both drivers (issue 10, item 5): wrong codes in a flow whose typed number did not
// match never count against the account; nothing done in the wizard keeps an administrator out of the admin sign-in,
// whose codes have their own limits; and one number cannot be pumped until the global SMS breaker trips for everyone.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// A small global hourly cap, so pumping one number would trip it, and the default per-number cap (vitest.config.ts
// raises it for the other files); read once, before the configuration is first used.
vi.hoisted(() => {
  process.env.SMS_CAP_PER_HOUR = "10";
  delete process.env.LIMIT_CODES_PER_NUMBER_PER_DAY;
});

import { loadPendingSignIn, startAdminSignIn, verifyAdminCode } from "@/lib/admin/sign-in";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, outboxMessages, rateLimits, users } from "@/lib/db/schema";
import { breakerOpen } from "@/lib/messaging/spend-guard";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { resendCode, startRecovery, verifyCode } from "./steps";
import { Harness, MOBILE, OTHER_MOBILE, PASSWORD, at, t0, wrongCode, type Client } from "./steps.test-helper";

const HOUR = 3600;
const DAY = 24 * HOUR;

describe.each(drivers())("strangers cannot lock out or pump on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 7);
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** An administrator (the wizard works for them like for anyone) with their own mobile number. */
  async function newAdmin(mobile = `+3161234${String(1000 + ++n).padStart(4, "0")}`) {
    const email = `beheerder7x${++n}.jansen@example.nl`;
    const added = await addUser(h.db, { email, firstName: "Bea", lastName: "Jansen", phone: mobile, password: PASSWORD, isAdmin: true });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await h.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return { id: row!.id, email, mobile };
  }

  const adminCtx = (now: Date) => ({
    context: { ip: `192.0.2.${(n % 200) + 1}`, userAgent: "vitest/strangers", locale: "nl", requestId: "vitest" },
    now,
  });

  /** The newest admin sign-in code texted to a number, as the administrator reads it on their phone. */
  async function lastAdminCode(mobile: string): Promise<string> {
    const rows = await h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, mobile)).orderBy(asc(outboxMessages.id));
    return /\b\d{6}\b/.exec(rows.filter((r) => r.flowId !== null).at(-1)?.body ?? "")![0];
  }

  /** Password, then the texted code: what the administrator gets. */
  async function adminSignIn(admin: { email: string; mobile: string }, now: Date, code?: (right: string) => string) {
    const started = await startAdminSignIn(h.db, { userId: admin.email, password: PASSWORD, ...adminCtx(now) });
    if (started.kind !== "code-sent") return started;
    const pending = (await loadPendingSignIn(h.db, started.token, adminCtx(now)))!;
    const right = await lastAdminCode(admin.mobile);
    return verifyAdminCode(h.db, pending, code ? code(right) : right, adminCtx(now));
  }

  /** One flow to the code page with `typed` as the number, then five guessed codes; what the guesser was told. */
  async function guessFive(typedId: string, c: Client, typed: string, now: Date) {
    const flow = await h.toCode(typedId, c, { typed, now });
    const answers = [];
    for (let i = 1; i <= 5; i++) {
      const guess = String(100000 + ((i * 7919 + now.getTime()) % 900000));
      answers.push(await verifyCode(h.db, await h.guard(flow.token, "code", c, now), wrongCode(flow.codes[0] ?? guess, i), c.ctx(now)));
    }
    return { flow, answers };
  }

  const sameAnswersAsToday = [
    { kind: "wrong-code", attemptsLeft: 4 },
    { kind: "wrong-code", attemptsLeft: 3 },
    { kind: "wrong-code", attemptsLeft: 2 },
    { kind: "wrong-code", attemptsLeft: 1 },
    { kind: "moved", step: "ended" },
  ];

  it("two anonymous flows with a wrong number and five random codes each do not keep the administrator out", async () => {
    const admin = await newAdmin();
    for (const [i, c] of [h.client(), h.client()].entries()) {
      const { flow, answers } = await guessFive(admin.email, c, OTHER_MOBILE, at(i * 60));
      // The stranger's flow still ends after its own five tries, with the same answers as before.
      expect(answers).toEqual(sameAnswersAsToday);
      expect(await h.flowRow(flow.flowId)).toMatchObject({ step: "ended", endedReason: "too-many-attempts", codeAttempts: 5 });
      expect(await h.outbox(flow.flowId)).toEqual([]);
    }
    // Nothing counted against the account: the administrator signs in, and self-service still works for them.
    expect(await adminSignIn(admin, at(180))).toMatchObject({ kind: "signed-in" });
    expect((await startRecovery(h.db, { typedId: admin.email, intent: null, ...h.client().ctx(at(200)) })).kind).toBe("started");
    const [counter] = await h.db
      .select()
      .from(rateLimits)
      .where(eq(rateLimits.key, `code-failures:account:${admin.id}`));
    expect(counter).toBeUndefined();
  });

  it("an unknown ID and a known ID with a wrong number are treated alike: neither is ever blocked by guesses", async () => {
    const u = await h.newUser();
    const id = h.unknownId();
    for (let round = 0; round < 3; round++) {
      for (const typedId of [u.email, id]) {
        const { answers } = await guessFive(typedId, h.client(), OTHER_MOBILE, at(round * HOUR));
        expect(answers).toEqual(sameAnswersAsToday);
      }
    }
    // 15 guesses each, past the daily limit of 10: both still start (and the known user still gets a code).
    expect((await startRecovery(h.db, { typedId: id, intent: null, ...h.client().ctx(at(4 * HOUR)) })).kind).toBe("started");
    const c = h.client();
    const own = await h.toCode(u.email, c, { now: at(4 * HOUR) });
    expect(await verifyCode(h.db, await h.guard(own.token, "code", c, at(4 * HOUR)), own.codes[0]!, c.ctx(at(4 * HOUR)))).toEqual({
      kind: "moved",
      step: "password",
    });
  });

  it("wrong codes against a code sent to the registered number still block self-service, but never the admin sign-in", async () => {
    const admin = await newAdmin();
    await guessFive(admin.email, h.client(), admin.mobile, t0);
    await guessFive(admin.email, h.client(), admin.mobile, at(60));
    expect(await startRecovery(h.db, { typedId: admin.email, intent: null, ...h.client().ctx(at(120)) })).toEqual({
      kind: "blocked",
      retryAt: at(24 * HOUR),
    });
    expect(await adminSignIn(admin, at(180))).toMatchObject({ kind: "signed-in" });
  });

  it("admin sign-in codes have their own limit: ten wrong ones end the admin sign-in for a day, self-service stays open", async () => {
    // A day of its own, so the ten admin codes (counted against the global caps) leave this file's other hours alone.
    const day = (s: number) => at(DAY + s);
    const admin = await newAdmin();
    for (let i = 0; i < 10; i++) {
      const result = await adminSignIn(admin, day(i * 60), (right) => wrongCode(right, 1 + (i % 9)));
      expect(result).toMatchObject({ kind: "wrong-code" });
    }
    expect(await adminSignIn(admin, day(700))).toEqual({ kind: "ended", reason: "admin-code-failures-per-account" });
    const refused = await h.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, admin.id), eq(auditEvents.event, "admin.sign_in.failed"), eq(auditEvents.outcome, "refused")));
    expect(refused.map((r) => r.reason)).toEqual(["admin-code-failures-per-account"]);
    // The wizard's counter is untouched: the administrator can still reset their password themselves.
    const c = h.client();
    const flow = await h.toCode(admin.email, c, { typed: admin.mobile, now: day(3 * HOUR) });
    expect(await verifyCode(h.db, await h.guard(flow.token, "code", c, day(3 * HOUR)), flow.codes[0]!, c.ctx(day(3 * HOUR)))).toEqual({
      kind: "moved",
      step: "password",
    });
  });

  it("15 codes to one number in 3 minutes: 5 go out, the rest are refused per number, the global breaker stays closed", async () => {
    const day = (s: number) => at(2 * DAY + s);
    const admin = await newAdmin();
    const flows: { c: Client; token: string; flowId: string }[] = [];
    // Five flows (the per-ID daily maximum), each with its first code and two resends a minute apart: 15 sends in 2 minutes.
    for (let i = 0; i < 5; i++) {
      const c = h.client();
      flows.push({ c, ...(await h.toCode(admin.email, c, { typed: admin.mobile, now: day(i) })) });
    }
    for (const second of [60, 120]) {
      for (const [i, f] of flows.entries()) {
        const flow = await h.guard(f.token, "code", f.c, day(second + i));
        expect(await resendCode(h.db, flow, f.c.ctx(day(second + i)))).toEqual({ kind: "moved", step: "code" });
      }
    }
    await h.flush();
    const toNumber = await h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, admin.mobile));
    expect(toNumber).toHaveLength(5);
    const refusals = (await h.auditWhere({ event: "message.refused" })).filter((r) => flows.some((f) => f.flowId === r.flowId));
    expect(refusals).toHaveLength(10);
    expect(refusals.every((r) => (r.details as { rule?: string }).rule === "per-number-limit")).toBe(true);
    // The portal's global cap (10 an hour here) was never reached: everyone else still gets codes.
    expect((await h.auditWhere({ event: "sms.breaker_tripped" })).filter((r) => r.at >= day(0))).toEqual([]);
    expect(await breakerOpen(h.db, day(180))).toBe(false);
    const other = await h.newUser({ mobile: MOBILE });
    expect((await h.toCode(other.email, h.client(), { now: day(180) })).codes).toHaveLength(1);
    // The administrator's own sign-in codes are not the wizard's: the capped number still gets them.
    expect(await adminSignIn(admin, day(200))).toMatchObject({ kind: "signed-in" });
  });
});
