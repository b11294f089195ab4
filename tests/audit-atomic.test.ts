// Every state change commits together with its audit row, or not at all (issue #11), on both drivers: a trigger makes
// the database refuse one chosen audit event, and the change that row describes must then not have happened either —
// flow start, each wizard step, code delivery, password change, unlock, sign-in lockout, admin sign-in and sign-out.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkAdminSession, endAdminSession } from "@/lib/admin/session";
import { cancelAdminSignIn, loadPendingSignIn, resendAdminCode, startAdminSignIn, verifyAdminCode } from "@/lib/admin/sign-in";
import type { AuditEventName } from "@/lib/audit/events";
import { signIn } from "@/lib/auth/sign-in";
import type { DbHandle } from "@/lib/db/client";
import { adminSessions, outboxMessages, phantomSignIns, rateLimits, recoveryFlows, users, verificationCodes } from "@/lib/db/schema";
import { guardFlow } from "@/lib/recovery/flow-store";
import { Harness, MOBILE_NATIONAL, NEW_PASSWORD, PASSWORD, at, t0, wrongCode } from "@/lib/recovery/steps.test-helper";
import { cancelFlow, chooseIntent, chooseNewPassword, startRecovery, submitNumber, verifyCode } from "@/lib/recovery/steps";
import { subjectHash } from "@/lib/security/subject";
import { drivers, freshDb } from "@/tests/db";

describe.each(drivers())("state and audit commit together on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 9);
    // Refuses the audit events named in test_refused_audit, as a full disk or a lost connection would at that moment.
    await handle.db.execute(sql`create table test_refused_audit (event text primary key)`);
    await handle.db.execute(sql`
      create function test_refuse_audit() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from test_refused_audit where event = new.event) then
          raise exception 'audit row refused by the test: %', new.event;
        end if;
        return new;
      end $$`);
    await handle.db.execute(
      sql`create trigger test_refuse_audit before insert on audit_events for each row execute function test_refuse_audit()`,
    );
  });
  afterAll(async () => {
    await handle?.close();
  });
  beforeEach(async () => {
    await handle.db.execute(sql`delete from test_refused_audit`);
  });

  /** Runs `change` while the database refuses `event`: it must fail, and then `state()` must read as before. */
  async function refused<S>(event: AuditEventName, state: () => Promise<S>, change: () => Promise<unknown>): Promise<S> {
    const before = await state();
    await handle.db.execute(sql`insert into test_refused_audit (event) values (${event})`);
    await expect(change()).rejects.toThrow();
    await handle.db.execute(sql`delete from test_refused_audit`);
    const after = await state();
    expect(after).toEqual(before);
    return after;
  }

  const flowRow = async (id: string) => (await handle.db.select().from(recoveryFlows).where(eq(recoveryFlows.id, id)))[0];
  const codesOf = async (flowId: string) => handle.db.select().from(verificationCodes).where(eq(verificationCodes.flowId, flowId));

  describe("the wizard", () => {
    it("a flow start: no flow without its recovery.started row", async () => {
      const u = await h.newUser();
      const c = h.client();
      const flows = async () => handle.db.select({ id: recoveryFlows.id }).from(recoveryFlows).where(eq(recoveryFlows.userId, u.id));
      await refused("recovery.started", flows, () => startRecovery(h.db, { typedId: u.email, intent: null, ...c.ctx() }));
      await h.start(u.email, c);
      expect(await flows()).toHaveLength(1);
    });

    it("each step: the reason, the number (with its code), a cancel, an expiry", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId } = await h.start(u.email, c);
      await refused(
        "recovery.intent_chosen",
        () => flowRow(flowId),
        async () => chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx()),
      );
      await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx());

      const number = async () => ({ flow: await flowRow(flowId), codes: await codesOf(flowId) });
      await refused("recovery.code_sent", number, async () =>
        submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx() }),
      );
      expect((await number()).flow).toMatchObject({ step: "verify", sends: 0, phoneMatched: false });

      await refused(
        "recovery.cancelled",
        () => flowRow(flowId),
        async () => cancelFlow(h.db, await h.guard(token, "verify", c), c.ctx()),
      );
      await refused(
        "recovery.expired",
        () => flowRow(flowId),
        () => guardFlow(h.db, token, "verify", c.ctx(at(15 * 60))),
      );
      expect((await flowRow(flowId))!.step).toBe("verify");
    });

    it("a code: neither a right nor a wrong one counts, is used or moves the flow without its row", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      const state = async () => ({
        flow: await flowRow(flowId),
        codes: await codesOf(flowId),
        failures: await handle.db
          .select()
          .from(rateLimits)
          .where(eq(rateLimits.key, `code-failures:account:${u.id}`)),
      });
      await refused("recovery.code_failed", state, async () =>
        verifyCode(h.db, await h.guard(token, "code", c), wrongCode(codes[0]!), c.ctx()),
      );
      await refused("recovery.code_verified", state, async () => verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx()));
      expect((await state()).flow).toMatchObject({ step: "code", codeAttempts: 0 });
      expect(await verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx())).toEqual({ kind: "moved", step: "password" });
    });

    it("an unlock: the account stays locked without its account.unlocked row", async () => {
      const u = await h.newUser({ locked: true });
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c, { intent: "unlock" });
      const state = async () => ({ user: await h.user(u.id), flow: await flowRow(flowId), codes: await codesOf(flowId) });
      const { user } = await refused("account.unlocked", state, async () =>
        verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx()),
      );
      expect(user.lockedAt).toEqual(t0);
      expect(await verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx())).toEqual({ kind: "moved", step: "done" });
      expect((await h.user(u.id)).lockedAt).toBeNull();
    });

    it("a password change: password, history, sessions and the flow stay as they were without the password.reset row", async () => {
      const u = await h.newUser();
      const c = h.client();
      const { token, flowId, codes } = await h.toCode(u.email, c);
      await verifyCode(h.db, await h.guard(token, "code", c), codes[0]!, c.ctx());
      const state = async () => ({ user: await h.user(u.id), history: await h.history(u.id), flow: await flowRow(flowId) });
      const choose = async () =>
        chooseNewPassword(h.db, await h.guard(token, "password", c), {
          password: NEW_PASSWORD,
          confirmation: NEW_PASSWORD,
          ...c.ctx(at(30)),
        });
      const { history } = await refused("password.reset", state, choose);
      expect(history).toHaveLength(1);
      expect(await choose()).toEqual({ kind: "moved", step: "done" });
      expect(await h.history(u.id)).toHaveLength(2);
    });

    it("a code's delivery outcome: the flow keeps no outcome whose audit row is missing", async () => {
      const u = await h.newUser();
      // Registered before the country rule changed: the spend guard refuses to send there.
      await h.db.update(users).set({ mobile: "+32470123456" }).where(eq(users.id, u.id));
      const c = h.client();
      const { token, flowId } = await h.start(u.email, c);
      await chooseIntent(h.db, await h.guard(token, "intent", c), "reset", c.ctx());
      await submitNumber(h.db, await h.guard(token, "verify", c), { channel: "sms", typed: "+32 470 12 34 56", ...c.ctx() });
      expect((await flowRow(flowId))!.deliveryStatus).toBe("pending");
      await refused(
        "message.refused",
        () => flowRow(flowId),
        () => h.flush(),
      );
      expect((await flowRow(flowId))!.deliveryStatus).toBe("pending");
    });
  });

  describe("signing in", () => {
    const context = { ip: "192.0.2.90", userAgent: "vitest/atomic", locale: "nl", requestId: "vitest" };

    it("a wrong password is not counted, and the account not locked, without its rows", async () => {
      const u = await h.newUser();
      const attempt = () => signIn(h.db, { userId: u.email, password: "Verkeerd2026?", context, now: t0 });
      const counters = async () => {
        const { failedSignIns, lockedAt, lockedUntil } = await h.user(u.id);
        return { failedSignIns, lockedAt, lockedUntil };
      };
      await refused("sign_in.failed", counters, attempt);
      for (let i = 0; i < 4; i++) await attempt();
      const { failedSignIns, lockedAt } = await refused("account.locked", counters, attempt);
      expect({ failedSignIns, lockedAt }).toEqual({ failedSignIns: 4, lockedAt: null });
      expect((await attempt()).kind).toBe("locked");
    });

    it("an unknown ID's counter moves only with its row", async () => {
      const typed = h.unknownId();
      const counter = async () =>
        handle.db
          .select()
          .from(phantomSignIns)
          .where(eq(phantomSignIns.idHash, subjectHash(typed)));
      await refused("sign_in.failed", counter, () => signIn(h.db, { userId: typed, password: "Verkeerd2026?", context, now: t0 }));
      expect(await counter()).toEqual([]);
    });
  });

  describe("the admin sign-in", () => {
    let n = 0;
    const ctx = (now = t0) => ({
      context: { ip: `192.0.2.${100 + ++n}`, userAgent: "vitest/atomic", locale: "nl", requestId: "vitest" },
      now,
    });
    const sessionsOf = async (userId: string) => handle.db.select().from(adminSessions).where(eq(adminSessions.userId, userId));
    async function admin() {
      const u = await h.newUser({ mobile: `+3161234${String(5700 + ++n).padStart(4, "0")}` });
      await h.db.update(users).set({ isAdmin: true }).where(eq(users.id, u.id));
      const [row] = await h.db.select({ mobile: users.mobile }).from(users).where(eq(users.id, u.id));
      return { ...u, mobile: row!.mobile! };
    }
    const lastCode = async (mobile: string) => {
      const rows = await handle.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, mobile));
      return /\b\d{6}\b/.exec(rows.at(-1)!.body)![0];
    };

    it("no attempt without its password_ok row; no code state without its row; no session without admin.sign_in.succeeded", async () => {
      const a = await admin();
      await refused(
        "admin.sign_in.password_ok",
        () => sessionsOf(a.id),
        () => startAdminSignIn(h.db, { userId: a.email, password: PASSWORD, ...ctx() }),
      );
      const started = await startAdminSignIn(h.db, { userId: a.email, password: PASSWORD, ...ctx() });
      if (started.kind !== "code-sent") throw new Error(JSON.stringify(started));
      const pending = (await loadPendingSignIn(h.db, started.token, ctx()))!;
      const code = await lastCode(a.mobile);
      await refused(
        "admin.sign_in.failed",
        () => sessionsOf(a.id),
        () => verifyAdminCode(h.db, pending, wrongCode(code), ctx()),
      );
      await refused(
        "admin.sign_in.succeeded",
        () => sessionsOf(a.id),
        () => verifyAdminCode(h.db, pending, code, ctx()),
      );
      await refused(
        "admin.sign_in.code_requested",
        () => sessionsOf(a.id),
        () => resendAdminCode(h.db, pending, ctx(at(61))),
      );
      await refused(
        "admin.sign_in.cancelled",
        () => sessionsOf(a.id),
        () => cancelAdminSignIn(h.db, pending, ctx()),
      );
      expect((await sessionsOf(a.id))[0]).toMatchObject({ stage: "code", codeAttempts: 0, sends: 1 });
      const result = await verifyAdminCode(h.db, pending, code, ctx());
      expect(result.kind).toBe("signed-in");
    });

    it("a sign-out: the session stays live without its admin.signed_out row", async () => {
      const a = await admin();
      const started = await startAdminSignIn(h.db, { userId: a.email, password: PASSWORD, ...ctx() });
      if (started.kind !== "code-sent") throw new Error(JSON.stringify(started));
      const pending = (await loadPendingSignIn(h.db, started.token, ctx()))!;
      const signedIn = await verifyAdminCode(h.db, pending, await lastCode(a.mobile), ctx());
      if (signedIn.kind !== "signed-in") throw new Error(JSON.stringify(signedIn));
      await refused(
        "admin.signed_out",
        () => sessionsOf(a.id),
        () => endAdminSession(h.db, signedIn.sessionId, a.id, "signed-out", ctx()),
      );
      expect((await checkAdminSession(h.db, signedIn.token, ctx())).kind).toBe("active");
    });
  });
});
