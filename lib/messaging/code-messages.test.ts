// One-time codes as message rows (issue 11, item 2), on both drivers, through the real MessageBird client against the
// local stand-in: a code and its message row commit together or not at all (the wizard's number step and resend, the
// admin sign-in's start and resend); the one attempt's outcome is kept on the row with no number or text left; a code
// that could not be sent is reported at once and never retried; a code row a crash left unsent is never sent later,
// is given up with an audit row and blanked; no code text is left once the code has expired.
import os from "node:os";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadPendingSignIn, resendAdminCode, startAdminSignIn } from "@/lib/admin/sign-in";
import type { Db, DbHandle } from "@/lib/db/client";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import { adminSessions, auditEvents, messageQueue, mobileChanges, users, verificationCodes } from "@/lib/db/schema";
import { startMobileChange, type DetailsCtx } from "@/lib/recovery-details/service";
import { codePageInfo } from "@/lib/recovery/page-info";
import { chooseIntent, resendCode, submitNumber } from "@/lib/recovery/steps";
import { Harness, MOBILE, MOBILE_NATIONAL, PASSWORD, type Client } from "@/lib/recovery/steps.test-helper";
import { addUser } from "@/lib/users/service";
import { startMessageBirdStandIn, type MessageBirdStandIn } from "@/e2e/stand-ins/messagebird";
import { drivers, freshDb } from "@/tests/db";
import { abandonStrandedCodes, CODE_SEND_WINDOW_MS, storeCodeMessage } from "./code-messages";
import { deliverDueMessages, pendingMessages, startMessageWorker, stopMessageWorker } from "./queue";

let standIn: MessageBirdStandIn;

beforeAll(async () => {
  standIn = await startMessageBirdStandIn({ port: 0, dir: path.join(os.tmpdir(), `toegang-mb-codes-${process.pid}`), slowMs: 3_000 });
  // Read once by getConfig(), which nothing has called yet in this test process.
  Object.assign(process.env, {
    SMS_PROVIDER: "messagebird",
    MESSAGEBIRD_ACCESS_KEY: "test_standin",
    MESSAGEBIRD_ORIGINATOR: "Flynth",
    MESSAGEBIRD_STAND_IN: standIn.url,
    MESSAGEBIRD_STAND_IN_CA: standIn.caFile,
    PROVIDER_TIMEOUT_MS: "800",
  });
});
afterAll(async () => {
  await standIn?.close();
});

/** The texts MessageBird was asked to deliver. */
const sentTexts = () => standIn.requests().map((r) => (r.body as { body?: string }).body ?? "");

describe.each(drivers())("code messages on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  let db: Db;
  // Every test at its own hour: cooldowns, caps and the provider's health of one test never meet another's.
  let hour = 0;
  const clock = () => {
    const base = new Date(Date.UTC(2026, 3, 6, 6 + hour++));
    return (seconds: number) => new Date(base.getTime() + seconds * 1000);
  };
  beforeAll(async () => {
    handle = await freshDb(driver);
    db = handle.db;
    h = new Harness(db, 53);
  });
  afterEach(async () => {
    standIn.reset();
    await db.execute(sql.raw(`drop trigger if exists fail_here on message_queue`));
    await db.execute(sql.raw(`drop trigger if exists fail_at_commit on verification_codes`));
    await db.execute(sql.raw(`drop trigger if exists fail_at_commit on admin_sessions`));
  });
  afterAll(async () => {
    await handle?.close();
  });

  const codeRows = (flowId: string) =>
    db
      .select()
      .from(messageQueue)
      .where(and(eq(messageQueue.flowId, flowId), eq(messageQueue.kind, "code")))
      .orderBy(asc(messageQueue.id));
  const storedCodes = (flowId: string) => db.select().from(verificationCodes).where(eq(verificationCodes.flowId, flowId));

  /** The database fails at the insert of the code's message (the step's last write). */
  async function failAtTheMessage() {
    await db.execute(
      sql.raw(
        `create or replace function fail_here() returns trigger language plpgsql as $$ begin raise exception 'database gone' using errcode = '57P01'; end $$`,
      ),
    );
    await db.execute(sql.raw(`create trigger fail_here before insert on message_queue for each row execute function fail_here()`));
  }
  /** The database fails when the transaction commits, after every write (a deferred trigger on the code's own table). */
  async function failAtCommit(table: "verification_codes" | "admin_sessions") {
    await db.execute(
      sql.raw(
        `create or replace function fail_at_commit() returns trigger language plpgsql as $$ begin raise exception 'commit failed' using errcode = '57P01'; end $$`,
      ),
    );
    await db.execute(
      sql.raw(
        `create constraint trigger fail_at_commit after ${table === "admin_sessions" ? "insert or update" : "insert"} on ${table} deferrable initially deferred for each row execute function fail_at_commit()`,
      ),
    );
  }

  /** A flow at the number step, for a user whose registered number is MOBILE. */
  async function onVerify(c: Client, now: Date) {
    const u = await h.newUser();
    const { token, flowId } = await h.start(u.email, c, now);
    await chooseIntent(db, await h.guard(token, "intent", c, now), "reset", c.ctx(now));
    return { token, flowId, userId: u.id };
  }

  it("the wizard: the code's row holds the number and text until its one attempt, then only the outcome", async () => {
    const at = clock();
    const c = h.client();
    const { token, flowId, userId } = await onVerify(c, at(0));
    expect(
      await submitNumber(db, await h.guard(token, "verify", c, at(1)), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(1)) }),
    ).toEqual({ kind: "moved", step: "code" });
    // Committed with the code, before the send (which runs after the response).
    const [stored] = await codeRows(flowId);
    expect(stored).toMatchObject({ status: "pending", recipient: MOBILE, channel: "sms", userId, attempts: 0 });
    expect(stored!.body).toMatch(/\b\d{6}\b/);
    expect(standIn.requests()).toHaveLength(0);

    await h.flush();
    expect(sentTexts()).toEqual([stored!.body]);
    expect(await codeRows(flowId)).toMatchObject([
      { id: stored!.id, status: "sent", recipient: "", body: "", attempts: 1, lastError: null },
    ]);
    expect((await h.audit(flowId)).filter((r) => r.event.startsWith("message.")).map((r) => [r.event, r.reason])).toEqual([
      ["message.handed_over", "code:sms"],
    ]);
  });

  it("the wizard: with the database failing at the code's message, neither the code nor its row; then both", async () => {
    const at = clock();
    const c = h.client();
    const { token, flowId } = await onVerify(c, at(0));
    const verify = await h.guard(token, "verify", c, at(1));

    await failAtTheMessage();
    await expect(submitNumber(db, verify, { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(1)) })).rejects.toThrow();
    await db.execute(sql.raw(`drop trigger fail_here on message_queue`));
    await failAtCommit("verification_codes");
    await expect(submitNumber(db, verify, { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(2)) })).rejects.toThrow();
    await db.execute(sql.raw(`drop trigger fail_at_commit on verification_codes`));
    await h.flush();
    expect(await storedCodes(flowId)).toEqual([]);
    expect(await codeRows(flowId)).toEqual([]);
    expect(await h.events(flowId)).not.toContain("recovery.code_sent");
    expect((await h.flowRow(flowId)).step).toBe("verify");
    expect(standIn.requests()).toHaveLength(0);

    // The database is back: the same step stores both, and the code goes out.
    expect(
      await submitNumber(db, await h.guard(token, "verify", c, at(3)), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(3)) }),
    ).toEqual({ kind: "moved", step: "code" });
    expect(await storedCodes(flowId)).toHaveLength(1);
    expect(await codeRows(flowId)).toMatchObject([{ status: "pending", recipient: MOBILE }]);
    await h.flush();
    expect(await codeRows(flowId)).toMatchObject([{ status: "sent", body: "" }]);
    expect(standIn.requests()).toHaveLength(1);
  });

  it("the wizard's resend: with the database failing, the old code stays the only one and no row is added", async () => {
    const at = clock();
    const c = h.client();
    const { token, flowId } = await onVerify(c, at(0));
    await submitNumber(db, await h.guard(token, "verify", c, at(1)), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(1)) });
    await h.flush();
    const flow = await h.guard(token, "code", c, at(70));

    for (const fail of [failAtTheMessage, () => failAtCommit("verification_codes")]) {
      await fail();
      await expect(resendCode(db, flow, c.ctx(at(70)))).rejects.toThrow();
      await db.execute(sql.raw(`drop trigger if exists fail_here on message_queue`));
      await db.execute(sql.raw(`drop trigger if exists fail_at_commit on verification_codes`));
    }
    expect(await storedCodes(flowId)).toMatchObject([{ voidedAt: null }]);
    expect(await codeRows(flowId)).toHaveLength(1);
    expect((await h.flowRow(flowId)).sends).toBe(1);

    expect(await resendCode(db, flow, c.ctx(at(71)))).toEqual({ kind: "moved", step: "code" });
    await h.flush();
    expect(await storedCodes(flowId)).toHaveLength(2);
    expect((await codeRows(flowId)).map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(standIn.requests()).toHaveLength(2);
  });

  it("a code that could not be sent is reported at once, kept as failed with no text, and never tried again", async () => {
    const at = clock();
    const c = h.client();
    const { token, flowId } = await onVerify(c, at(0));
    standIn.setMode("500");
    await submitNumber(db, await h.guard(token, "verify", c, at(1)), { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(1)) });
    await h.flush();
    expect(standIn.requests()).toHaveLength(1);
    const [row] = await codeRows(flowId);
    expect(row).toMatchObject({ status: "failed", lastError: "provider-error", recipient: "", body: "", attempts: 1 });
    // The step reports it at once: the code page says no code could be sent.
    expect(await codePageInfo(db, await h.guard(token, "code", c, at(2)), at(2))).toMatchObject({ notice: "failed" });

    // MessageBird is back; the worker runs, now and much later: the code is not sent again.
    standIn.setMode("ok");
    for (const later of [at(60), at(3_600), at(86_400)]) {
      expect(await deliverDueMessages(db, { now: later, ids: [row!.id] })).toMatchObject({ attempted: 0 });
      await deliverDueMessages(db, { now: later, limit: 1_000 });
      await abandonStrandedCodes(db, later);
    }
    expect(standIn.requests()).toHaveLength(1);
    expect(await codeRows(flowId)).toMatchObject([{ status: "failed", attempts: 1 }]);
  });

  it("a code row a crash left unsent is never sent later: given up once its window is over, blanked and audited", async () => {
    const at = clock();
    const c = h.client();
    const { token, flowId, userId } = await onVerify(c, at(0));
    const pendingBefore = await pendingMessages(db);
    // The process ends after the commit and before the send: the scheduled send never runs (kept here to run it late).
    const lost: (() => Promise<void>)[] = [];
    const verify = await h.guard(token, "verify", c, at(1));
    await submitNumber(db, verify, { channel: "sms", typed: MOBILE_NATIONAL, ...c.ctx(at(1)), schedule: (task) => void lost.push(task) });
    const [row] = await codeRows(flowId);
    expect(row).toMatchObject({ status: "pending", recipient: MOBILE });
    // Codes never wait: the gauge of waiting notifications does not count it.
    expect(await pendingMessages(db)).toBe(pendingBefore);

    // The worker after the restart: never sends it, and leaves it alone while its attempt could still be under way.
    expect(await deliverDueMessages(db, { now: at(30), limit: 1_000 })).toMatchObject({ attempted: 0 });
    await abandonStrandedCodes(db, at(30));
    expect(await codeRows(flowId)).toMatchObject([{ status: "pending" }]);
    // Once the window is over it is given up (the worker's round: due messages first, then stranded codes), with its
    // number and text cleared.
    const windowOver = new Date(at(1).getTime() + CODE_SEND_WINDOW_MS + 1_000);
    expect(await deliverDueMessages(db, { now: windowOver, limit: 1_000 })).toMatchObject({ attempted: 0 });
    await abandonStrandedCodes(db, windowOver);
    expect(await codeRows(flowId)).toMatchObject([{ status: "abandoned", recipient: "", body: "", lastError: "not-sent" }]);
    const abandoned = (await h.audit(flowId)).filter((r) => r.event === "message.abandoned");
    expect(abandoned.map((r) => [r.outcome, r.reason, r.userId, r.details])).toEqual([
      ["failure", "code:sms", userId, { kind: "code", attempts: 0, error: "not-sent" }],
    ]);
    // A second worker (another instance) finds nothing more to give up: one audit row.
    await abandonStrandedCodes(db, at(600));
    expect((await h.audit(flowId)).filter((r) => r.event === "message.abandoned")).toHaveLength(1);

    // Had the lost send run after all, late: it sends nothing, and the user is told no code could be sent.
    for (const task of lost) await task();
    expect(standIn.requests()).toHaveLength(0);
    expect(await h.flowRow(flowId)).toMatchObject({ deliveryStatus: "failed" });
    expect((await h.audit(flowId)).filter((r) => r.event === "message.failed").map((r) => r.details?.error)).toEqual(["not-sent"]);
  });

  it("no code text is left once the code has expired, whatever happened to its send", async () => {
    const at = clock();
    // A code valid for one minute (CODE_TTL_MINUTES=1): its window ends 20 s before the code does, so the worker (every
    // 15 s) has cleared its text by the code's expiry.
    const short = await db.transaction((tx) =>
      storeCodeMessage(
        tx,
        { to: MOBILE, channel: "sms", locale: "nl", body: "Uw code is 123456", flowId: null, userId: null, expiresAt: at(60) },
        at(0),
      ),
    );
    const c = h.client();
    const { token, flowId } = await onVerify(c, at(0));
    await submitNumber(db, await h.guard(token, "verify", c, at(1)), {
      channel: "voice",
      typed: MOBILE_NATIONAL,
      ...c.ctx(at(1)),
      schedule: () => {},
    });
    const expiry = (await storedCodes(flowId))[0]!.expiresAt;
    const texts = async () =>
      (await db.select().from(messageQueue).where(eq(messageQueue.kind, "code"))).filter(
        (r) => (r.id === short || r.flowId === flowId) && (r.body !== "" || r.recipient !== ""),
      );
    await abandonStrandedCodes(db, at(39));
    expect((await texts()).map((r) => r.id)).toContain(short);
    await abandonStrandedCodes(db, at(40));
    expect((await texts()).map((r) => r.id)).not.toContain(short);
    await abandonStrandedCodes(db, expiry);
    expect(await texts()).toEqual([]);
  });

  it("the admin sign-in: the code's row commits with the attempt, or neither exists; a failed send is not retried", async () => {
    const at = clock();
    const email = `beheer53x${hour}@example.nl`;
    const mobile = `+316222${String(hour).padStart(5, "0")}`;
    const added = await addUser(db, { email, firstName: "Bea", lastName: "Bakker", phone: mobile, password: PASSWORD, isAdmin: true });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const ctx = (s: number) => ({
      context: { ip: `192.0.2.${hour}`, userAgent: "vitest/admin", locale: "nl", requestId: "vitest" },
      now: at(s),
    });
    const attempts = () => db.select().from(adminSessions).where(eq(adminSessions.stage, "code"));
    const adminRows = async () => {
      const ids = (await db.select({ id: adminSessions.id }).from(adminSessions)).map((r) => r.id);
      return (await db.select().from(messageQueue).where(eq(messageQueue.kind, "code"))).filter((r) => ids.includes(r.flowId ?? ""));
    };
    const before = await attempts();

    for (const fail of [failAtTheMessage, () => failAtCommit("admin_sessions")]) {
      await fail();
      await expect(startAdminSignIn(db, { userId: email, password: PASSWORD, ...ctx(0) })).rejects.toThrow();
      await db.execute(sql.raw(`drop trigger if exists fail_here on message_queue`));
      await db.execute(sql.raw(`drop trigger if exists fail_at_commit on admin_sessions`));
    }
    expect(await attempts()).toEqual(before);
    expect(await adminRows()).toEqual([]);
    expect(standIn.requests()).toHaveLength(0);

    const started = await startAdminSignIn(db, { userId: email, password: PASSWORD, ...ctx(1) });
    expect(started.kind).toBe("code-sent");
    const pending = (await loadPendingSignIn(db, started.kind === "code-sent" ? started.token : null, ctx(1)))!;
    expect(await adminRows()).toMatchObject([{ flowId: pending.id, status: "sent", recipient: "", body: "", attempts: 1 }]);
    expect(sentTexts()).toHaveLength(1);

    // A resend with the database failing: the old code and its count stay, no row is added.
    const [row] = await db.select().from(adminSessions).where(eq(adminSessions.id, pending.id));
    await failAtTheMessage();
    await expect(resendAdminCode(db, pending, ctx(70))).rejects.toThrow();
    await db.execute(sql.raw(`drop trigger fail_here on message_queue`));
    expect(await db.select().from(adminSessions).where(eq(adminSessions.id, pending.id))).toEqual([row]);
    expect(await adminRows()).toHaveLength(1);

    // MessageBird fails the resend: the administrator is told at once, and nothing sends it later.
    standIn.setMode("500");
    expect(await resendAdminCode(db, pending, ctx(71))).toEqual({ kind: "send-failed" });
    expect((await adminRows()).map((r) => [r.status, r.lastError, r.body])).toEqual([
      ["sent", null, ""],
      ["failed", "provider-error", ""],
    ]);
    standIn.setMode("ok");
    await deliverDueMessages(db, { now: at(3_600), limit: 1_000 });
    await abandonStrandedCodes(db, at(3_600));
    expect(sentTexts()).toHaveLength(2);
    const codeSent = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.flowId, pending.id), eq(auditEvents.event, "admin.sign_in.code_sent")))
      .orderBy(asc(auditEvents.id));
    expect(codeSent.map((r) => r.outcome)).toEqual(["success", "failure"]);
  });

  it("a new mobile number's code: its row commits with the change, or neither exists; a failed send ends the change", async () => {
    const at = clock();
    const email = `herstel53x${hour}@example.nl`;
    const added = await addUser(db, { email, firstName: "Herstel", lastName: "Gebruiker", phone: null, password: PASSWORD });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const store = builtinAccountStore(db);
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    const account = (await store.get(u!.id))!;
    const newMobile = `+316333${String(hour).padStart(5, "0")}`;
    const ctx = (s: number): DetailsCtx => ({
      context: { ip: `198.51.100.${hour}`, userAgent: "vitest/details", locale: "nl", requestId: "vitest" },
      now: at(s),
      store,
    });
    const changes = () =>
      db.select().from(mobileChanges).where(eq(mobileChanges.accountId, account.id)).orderBy(asc(mobileChanges.createdAt));
    const rowsOf = async () => {
      const ids = (await changes()).map((c) => c.id);
      return (await db.select().from(messageQueue).where(eq(messageQueue.kind, "code")))
        .filter((r) => ids.includes(r.flowId ?? ""))
        .sort((a, b) => a.id - b.id);
    };

    await failAtTheMessage();
    await expect(startMobileChange(db, account, { mobile: newMobile, password: PASSWORD }, ctx(0))).rejects.toThrow();
    await db.execute(sql.raw(`drop trigger fail_here on message_queue`));
    expect(await changes()).toEqual([]);
    expect(standIn.requests()).toHaveLength(0);

    expect(await startMobileChange(db, account, { mobile: newMobile, password: PASSWORD }, ctx(1))).toEqual({ kind: "code-sent" });
    expect(await rowsOf()).toMatchObject([{ status: "sent", recipient: "", body: "", userId: account.id, attempts: 1 }]);
    expect(sentTexts()).toHaveLength(1);

    standIn.setMode("500");
    expect(await startMobileChange(db, account, { mobile: newMobile, password: PASSWORD }, ctx(2))).toEqual({ kind: "send-failed" });
    expect((await changes()).map((c) => c.stage)).toEqual(["superseded", "send-failed"]);
    expect((await rowsOf()).map((r) => [r.status, r.body])).toEqual([
      ["sent", ""],
      ["failed", ""],
    ]);
    standIn.setMode("ok");
    await deliverDueMessages(db, { now: at(3_600), limit: 1_000 });
    await abandonStrandedCodes(db, at(3_600));
    expect(sentTexts()).toHaveLength(2);
  });

  it("the process's worker gives up a code row left by a crash, and sends nothing", async () => {
    // Its own database: the worker runs on the real clock, and would give up the other tests' rows too.
    const own = await freshDb(driver);
    try {
      const now = new Date();
      const id = await own.db.transaction((tx) =>
        storeCodeMessage(
          tx,
          {
            to: MOBILE,
            channel: "sms",
            locale: "nl",
            body: "Uw code is 123456",
            flowId: null,
            userId: null,
            expiresAt: new Date(now.getTime() + 600_000),
          },
          new Date(now.getTime() - CODE_SEND_WINDOW_MS - 1_000),
        ),
      );
      const sent: string[] = [];
      startMessageWorker({
        db: async () => own.db,
        intervalMs: 60_000,
        transport: { name: "scripted", send: async (_db, m) => (sent.push(m.body), { ok: true, providerId: "x" }) },
      });
      try {
        await expect
          .poll(async () => (await own.db.select().from(messageQueue).where(eq(messageQueue.id, id)))[0]!.status, { timeout: 10_000 })
          .toBe("abandoned");
      } finally {
        await stopMessageWorker();
      }
      expect(sent).toEqual([]);
      expect((await own.db.select().from(messageQueue).where(eq(messageQueue.id, id)))[0]).toMatchObject({ body: "", recipient: "" });
    } finally {
      await own.close();
    }
  });
});
