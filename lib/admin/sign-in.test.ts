// Administrator sign-in and the admin session on both database drivers: the password under the normal lockout rules,
// the SMS code's rules (single use, tries counted atomically, expiry, resend), and the session's timeouts on a fake clock.
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endAllSessions } from "@/lib/auth/sessions";
import { signIn } from "@/lib/auth/sign-in";
import type { DbHandle } from "@/lib/db/client";
import { adminSessions, auditEvents, outboxMessages, providerHealth, rateLimits, users } from "@/lib/db/schema";
import { addUser, grantAdmin } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { checkAdminSession, endAdminSession } from "./session";
import { ADMIN_CODES_PER_DAY, loadPendingSignIn, resendAdminCode, startAdminSignIn, verifyAdminCode, type PendingSignIn } from "./sign-in";

const PASSWORD = "Stempelkussen2026!";
const WRONG = "Verkeerd2026?";
const t0 = new Date("2026-03-02T09:00:00.000Z");
const sec = (n: number) => new Date(t0.getTime() + n * 1000);
const min = (n: number) => sec(n * 60);

describe.each(drivers())("admin sign-in on %s", (driver) => {
  let h: DbHandle;
  let n = 0;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  const ctx = (now = t0) => ({
    context: { ip: `192.0.2.${(n % 200) + 1}`, userAgent: "vitest/admin", locale: "nl", requestId: "vitest" },
    now,
  });

  async function newUser(
    opts: { admin?: boolean; mobile?: string | null } = {},
  ): Promise<{ id: string; email: string; mobile: string | null }> {
    const email = `beheer${++n}.jansen@example.nl`;
    const mobile = opts.mobile === undefined ? `+3161111${String(2200 + n).padStart(4, "0")}` : opts.mobile;
    const added = await addUser(h.db, {
      email,
      firstName: "Bea",
      lastName: "Bakker",
      phone: mobile,
      password: PASSWORD,
      isAdmin: opts.admin ?? true,
    });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await h.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return { id: row!.id, email, mobile };
  }

  /** The newest code texted to a number, read from the outbox as the administrator reads their phone. */
  async function lastCode(mobile: string): Promise<string> {
    const rows = await h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, mobile)).orderBy(asc(outboxMessages.id));
    const body = rows.at(-1)?.body ?? "";
    return /\b\d{6}\b/.exec(body)![0];
  }

  const audit = async (userId: string) =>
    (await h.db.select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(asc(auditEvents.id))).filter((e) =>
      e.event.startsWith("admin."),
    );

  async function pendingFor(email: string, now = t0): Promise<{ token: string; pending: PendingSignIn }> {
    const started = await startAdminSignIn(h.db, { userId: email, password: PASSWORD, ...ctx(now) });
    if (started.kind !== "code-sent") throw new Error(JSON.stringify(started));
    return { token: started.token, pending: (await loadPendingSignIn(h.db, started.token, ctx(now)))! };
  }

  async function signedIn(email: string, mobile: string, now = t0): Promise<string> {
    const { pending } = await pendingFor(email, now);
    const result = await verifyAdminCode(h.db, pending, await lastCode(mobile), ctx(now));
    if (result.kind !== "signed-in") throw new Error(JSON.stringify(result));
    return result.token;
  }

  it("texts an administrator with the right password a six-digit code and keeps only its keyed hash", async () => {
    const admin = await newUser();
    const { token, pending } = await pendingFor(admin.email);
    const code = await lastCode(admin.mobile!);
    expect(code).toMatch(/^\d{6}$/);
    expect(pending).toMatchObject({ userId: admin.id, maskedNumber: `*****${admin.mobile!.slice(-2)}`, sends: 1, codeAttempts: 0 });
    const [row] = await h.db.select().from(adminSessions).where(eq(adminSessions.id, pending.id));
    expect(row).toMatchObject({ stage: "code", codeExpiresAt: min(10), expiresAt: min(15) });
    expect(row!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(code);
    expect(JSON.stringify(row)).not.toContain(token);
    const events = await audit(admin.id);
    expect(events.map((e) => [e.event, e.outcome, e.flowId])).toEqual([
      ["admin.sign_in.password_ok", "success", pending.id],
      ["admin.sign_in.code_sent", "success", pending.id],
    ]);
    expect(JSON.stringify(events)).not.toContain(code);
    expect(JSON.stringify(events)).not.toContain(admin.mobile!);
  });

  it("answers an unknown ID, an ordinary user's right password and a wrong password alike, and audits the real reason", async () => {
    const ordinary = await newUser({ admin: false });
    const admin = await newUser();
    const outboxBefore = (await h.db.select().from(outboxMessages)).length;
    const answers = [
      await startAdminSignIn(h.db, { userId: "niemand.hier@example.nl", password: PASSWORD, ...ctx() }),
      await startAdminSignIn(h.db, { userId: ordinary.email, password: PASSWORD, ...ctx() }),
      await startAdminSignIn(h.db, { userId: admin.email, password: WRONG, ...ctx() }),
    ];
    expect(answers).toEqual([{ kind: "invalid" }, { kind: "invalid" }, { kind: "invalid" }]);
    expect((await h.db.select().from(outboxMessages)).length).toBe(outboxBefore);
    expect((await audit(ordinary.id)).map((e) => e.reason)).toEqual(["not-admin"]);
    expect((await audit(admin.id)).map((e) => e.reason)).toEqual(["wrong-password"]);
    const unknown = await h.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.event, "admin.sign_in.failed"), eq(auditEvents.reason, "unknown-user")));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(unknown)).not.toContain("niemand");
  });

  it("shares the portal's lockout: five wrong passwords here lock the account everywhere, and the right one is then refused", async () => {
    const admin = await newUser();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await startAdminSignIn(h.db, { userId: admin.email, password: WRONG, ...ctx() })).kind);
    expect(answers).toEqual(["invalid", "invalid", "invalid", "invalid", "locked"]);
    expect((await startAdminSignIn(h.db, { userId: admin.email, password: PASSWORD, ...ctx(min(1)) })).kind).toBe("locked");
    expect((await signIn(h.db, { userId: admin.email, password: PASSWORD, context: ctx().context, now: min(1) })).kind).toBe("locked");
    expect((await startAdminSignIn(h.db, { userId: admin.email, password: PASSWORD, ...ctx(min(30)) })).kind).toBe("code-sent");
  });

  it("tells an administrator without a mobile number so, and sends nothing", async () => {
    const admin = await newUser({ mobile: null });
    expect(await startAdminSignIn(h.db, { userId: admin.email, password: PASSWORD, ...ctx() })).toEqual({ kind: "no-mobile" });
    expect((await audit(admin.id)).map((e) => e.reason)).toEqual(["no-mobile"]);
  });

  it("counts its codes against the SMS caps, and still texts an administrator while the breaker is open", async () => {
    const hourly = async () => (await h.db.select().from(rateLimits).where(eq(rateLimits.key, "sms-cap:hour:all")))[0];
    const admin = await newUser();
    const before = (await hourly())?.count ?? 0;
    await pendingFor(admin.email);
    expect((await hourly())!.count).toBe(before + 1);
    // The hourly cap is used up (as by an SMS-pumping attack on the wizard): the administrator must still get in.
    await h.db.update(rateLimits).set({ count: 100_000 }).where(eq(rateLimits.key, "sms-cap:hour:all"));
    const other = await newUser();
    await pendingFor(other.email);
    expect(await lastCode(other.mobile!)).toMatch(/^\d{6}$/);
    await h.db.update(rateLimits).set({ count: 0 }).where(eq(rateLimits.key, "sms-cap:hour:all"));
  });

  it("sends its codes through the wizard's guarded send: the provider's health is noted for every code", async () => {
    const admin = await newUser();
    await h.db.delete(providerHealth).where(eq(providerHealth.transport, "outbox"));
    await pendingFor(admin.email, min(3));
    const [health] = await h.db.select().from(providerHealth).where(eq(providerHealth.transport, "outbox"));
    expect(health?.lastSuccessAt?.getTime()).toBeGreaterThanOrEqual(min(3).getTime());
  });

  it("texts one administrator at most twenty codes a day, however often the password is typed", async () => {
    const admin = await newUser();
    for (let i = 0; i < ADMIN_CODES_PER_DAY + 2; i++)
      await startAdminSignIn(h.db, { userId: admin.email, password: PASSWORD, ...ctx(min(i)) });
    expect(await h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, admin.mobile!))).toHaveLength(ADMIN_CODES_PER_DAY);
    const refused = (await audit(admin.id)).filter((e) => e.event === "admin.sign_in.code_sent" && e.outcome === "refused");
    expect(refused.map((e) => e.details?.rule)).toEqual(["per-account-limit", "per-account-limit"]);
  });

  it("sends no code to a number outside the allowed countries", async () => {
    const admin = await newUser();
    // Registered before the country rule changed: the number is stored, but a Belgian mobile is not allowed (NL only).
    await h.db.update(users).set({ mobile: "+32470123456" }).where(eq(users.id, admin.id));
    await startAdminSignIn(h.db, { userId: admin.email, password: PASSWORD, ...ctx() });
    expect(await h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, "+32470123456"))).toEqual([]);
    expect((await audit(admin.id)).find((e) => e.event === "admin.sign_in.code_sent")).toMatchObject({
      outcome: "refused",
      details: { rule: "country-not-allowed" },
    });
  });

  it("signs in with the right code under a new token; the code and the old token are then worth nothing", async () => {
    const admin = await newUser();
    const { token: pendingToken, pending } = await pendingFor(admin.email);
    const code = await lastCode(admin.mobile!);
    const result = await verifyAdminCode(h.db, pending, code, ctx(sec(30)));
    expect(result).toMatchObject({ kind: "signed-in", sessionId: pending.id });
    const token = (result as { token: string }).token;
    expect(token).not.toBe(pendingToken);
    expect(await checkAdminSession(h.db, token, ctx(sec(40)))).toEqual({
      kind: "active",
      sessionId: pending.id,
      identity: { userId: admin.id, email: admin.email, displayName: "Bea Bakker" },
    });
    expect(await checkAdminSession(h.db, pendingToken, ctx(sec(40)))).toEqual({ kind: "ended", reason: "unknown" });
    expect(await loadPendingSignIn(h.db, pendingToken, ctx(sec(40)))).toBeNull();
    // Replaying the same code on the stale pending state changes nothing.
    expect(await verifyAdminCode(h.db, pending, code, ctx(sec(41)))).toEqual({ kind: "ended", reason: "gone" });
    expect((await audit(admin.id)).map((e) => e.event)).toEqual([
      "admin.sign_in.password_ok",
      "admin.sign_in.code_sent",
      "admin.sign_in.succeeded",
    ]);
  });

  it("allows five tries: four wrong codes and then the right one still sign in", async () => {
    const admin = await newUser();
    const { pending } = await pendingFor(admin.email);
    const code = await lastCode(admin.mobile!);
    const wrong = code === "000000" ? "111111" : "000000";
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await verifyAdminCode(h.db, pending, wrong, ctx()));
    expect(answers.map((a) => a.kind === "wrong-code" && a.attemptsLeft)).toEqual([4, 3, 2, 1]);
    expect((await verifyAdminCode(h.db, pending, code, ctx())).kind).toBe("signed-in");
  });

  it("ends the attempt at the fifth wrong code; the right code is refused after that", async () => {
    const admin = await newUser();
    const { token, pending } = await pendingFor(admin.email);
    const code = await lastCode(admin.mobile!);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 4; i++) await verifyAdminCode(h.db, pending, wrong, ctx());
    expect(await verifyAdminCode(h.db, pending, wrong, ctx())).toEqual({ kind: "ended", reason: "too-many-attempts" });
    expect(await verifyAdminCode(h.db, pending, code, ctx())).toMatchObject({ kind: "ended" });
    expect(await loadPendingSignIn(h.db, token, ctx())).toBeNull();
    const [row] = await h.db.select().from(adminSessions).where(eq(adminSessions.id, pending.id));
    expect(row).toMatchObject({ stage: "ended", endedReason: "too-many-attempts", codeAttempts: 5, codeHash: null });
  });

  it("evaluates at most five of twenty parallel wrong codes", async () => {
    const admin = await newUser();
    const { pending } = await pendingFor(admin.email);
    const code = await lastCode(admin.mobile!);
    const wrong = code === "000000" ? "111111" : "000000";
    const results = await Promise.all(Array.from({ length: 20 }, () => verifyAdminCode(h.db, pending, wrong, ctx())));
    expect(results.filter((r) => r.kind === "wrong-code")).toHaveLength(4);
    const [row] = await h.db.select().from(adminSessions).where(eq(adminSessions.id, pending.id));
    expect(row).toMatchObject({ stage: "ended", codeAttempts: 5 });
  });

  it("refuses a code after its ten minutes, and the whole attempt after fifteen", async () => {
    const admin = await newUser();
    const { token, pending } = await pendingFor(admin.email);
    const code = await lastCode(admin.mobile!);
    expect(await verifyAdminCode(h.db, pending, code, ctx(min(10)))).toEqual({ kind: "expired-code", attemptsLeft: 4 });
    expect(await loadPendingSignIn(h.db, token, ctx(new Date(min(15).getTime() - 1)))).not.toBeNull();
    expect(await loadPendingSignIn(h.db, token, ctx(min(15)))).toBeNull();
    expect((await audit(admin.id)).at(-1)).toMatchObject({ event: "admin.sign_in.failed", reason: "attempt-expired" });
  });

  it("sends a new code only after the cooldown and at most three in all; the new code replaces the old one", async () => {
    const admin = await newUser();
    const { token, pending } = await pendingFor(admin.email);
    const first = await lastCode(admin.mobile!);
    expect(await resendAdminCode(h.db, pending, ctx(sec(59)))).toEqual({ kind: "cooldown", retryAt: sec(60) });
    expect(await resendAdminCode(h.db, pending, ctx(sec(60)))).toEqual({ kind: "sent" });
    const second = await lastCode(admin.mobile!);
    let current = (await loadPendingSignIn(h.db, token, ctx(sec(61))))!;
    expect(current).toMatchObject({ sends: 2, lastSentAt: sec(60) });
    expect(await resendAdminCode(h.db, current, ctx(sec(120)))).toEqual({ kind: "sent" });
    current = (await loadPendingSignIn(h.db, token, ctx(sec(121))))!;
    expect(await resendAdminCode(h.db, current, ctx(sec(300)))).toEqual({ kind: "send-limit" });
    const third = await lastCode(admin.mobile!);
    if (first !== third) expect((await verifyAdminCode(h.db, current, first, ctx(sec(301)))).kind).toBe("wrong-code");
    if (second !== third) expect((await verifyAdminCode(h.db, current, second, ctx(sec(302)))).kind).toBe("wrong-code");
    expect((await verifyAdminCode(h.db, current, third, ctx(sec(303)))).kind).toBe("signed-in");
  });

  describe("the admin session", () => {
    it("slides with every request and ends after 30 idle minutes (audited once)", async () => {
      const admin = await newUser();
      const token = await signedIn(admin.email, admin.mobile!);
      for (const m of [20, 45, 70]) expect((await checkAdminSession(h.db, token, ctx(min(m)))).kind).toBe("active");
      expect(await checkAdminSession(h.db, token, ctx(min(100)))).toEqual({ kind: "ended", reason: "idle" });
      expect(await checkAdminSession(h.db, token, ctx(min(101)))).toEqual({ kind: "ended", reason: "idle" });
      const expired = (await audit(admin.id)).filter((e) => e.event === "admin.session_expired");
      expect(expired.map((e) => e.reason)).toEqual(["idle"]);
    });

    it("is marked seen at most once a minute, so the idle timeout ends it up to a minute early, never late", async () => {
      const admin = await newUser();
      const token = await signedIn(admin.email, admin.mobile!);
      expect((await checkAdminSession(h.db, token, ctx(min(20)))).kind).toBe("active"); // marked seen
      expect((await checkAdminSession(h.db, token, ctx(sec(20 * 60 + 59)))).kind).toBe("active"); // not written again
      expect(await checkAdminSession(h.db, token, ctx(min(50)))).toEqual({ kind: "ended", reason: "idle" });

      const other = await signedIn(admin.email, admin.mobile!);
      expect((await checkAdminSession(h.db, other, ctx(min(20)))).kind).toBe("active");
      expect((await checkAdminSession(h.db, other, ctx(min(21)))).kind).toBe("active"); // a minute later: marked seen
      expect((await checkAdminSession(h.db, other, ctx(sec(50 * 60 + 59)))).kind).toBe("active");
    });

    it("ends after 8 hours even when used every 20 minutes", async () => {
      const admin = await newUser();
      const token = await signedIn(admin.email, admin.mobile!);
      for (let m = 20; m < 480; m += 20) expect((await checkAdminSession(h.db, token, ctx(min(m)))).kind).toBe("active");
      expect(await checkAdminSession(h.db, token, ctx(min(480)))).toEqual({ kind: "ended", reason: "absolute" });
    });

    it("ends when the account's sessions are ended (a password change)", async () => {
      const admin = await newUser();
      const token = await signedIn(admin.email, admin.mobile!);
      await endAllSessions(h.db, admin.id);
      expect(await checkAdminSession(h.db, token, ctx(min(1)))).toEqual({ kind: "ended", reason: "password-changed" });
    });

    it("refuses an administrator whose role was withdrawn as not an administrator", async () => {
      const admin = await newUser();
      const token = await signedIn(admin.email, admin.mobile!);
      await grantAdmin(h.db, admin.email, false);
      expect(await checkAdminSession(h.db, token, ctx(min(1)))).toEqual({ kind: "not-admin", userId: admin.id });
      expect(await checkAdminSession(h.db, token, ctx(min(2)))).toEqual({ kind: "ended", reason: "admin-revoked" });
    });

    it("ends on sign-out, and the old cookie's token then opens nothing", async () => {
      const admin = await newUser();
      const token = await signedIn(admin.email, admin.mobile!);
      const active = await checkAdminSession(h.db, token, ctx(min(1)));
      if (active.kind !== "active") throw new Error("not active");
      expect(await endAdminSession(h.db, active.sessionId, admin.id, "signed-out", ctx(min(2)))).toBe(true);
      expect(await endAdminSession(h.db, active.sessionId, admin.id, "signed-out", ctx(min(2)))).toBe(false);
      expect(await checkAdminSession(h.db, token, ctx(min(3)))).toEqual({ kind: "ended", reason: "signed-out" });
      expect((await audit(admin.id)).filter((e) => e.event === "admin.signed_out")).toHaveLength(1);
    });

    it("does not count a token halfway through sign-in as signed in", async () => {
      const admin = await newUser();
      const { token } = await pendingFor(admin.email);
      expect(await checkAdminSession(h.db, token, ctx())).toEqual({ kind: "none" });
      expect(await checkAdminSession(h.db, null, ctx())).toEqual({ kind: "none" });
    });
  });
});
