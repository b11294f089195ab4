// Helpdesk actions on the builtin store, on both drivers: each changes the account, writes one audit row naming the
// administrator in the same transaction, and texts the user in the language they last used, through the message queue
// (queued with the change, tried after the response, retried by the worker). helpdesk.notify-atomic.test.ts: the
// change, its row and its message commit together or not at all.
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import type { AccountStore } from "@/lib/accounts/types";
import { recordAudit } from "@/lib/audit/record";
import { loadUserSession, openUserSession } from "@/lib/auth/sessions";
import { signIn } from "@/lib/auth/sign-in";
import type { DbHandle } from "@/lib/db/client";
import { getConfig } from "@/lib/config";
import { auditEvents, messageQueue, outboxMessages, users } from "@/lib/db/schema";
import { deliverDueMessages, startMessageWorker, stopMessageWorker } from "@/lib/messaging/queue";
import { helpdeskText } from "@/lib/messaging/texts";
import type { Transport } from "@/lib/messaging/transport";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import type { Schedule } from "@/lib/background";
import { runHelpdeskAction } from "./helpdesk";
import type { AdminIdentity } from "./session";

const PASSWORD = "Zeilboot2026!start";
const context = { ip: "10.77.0.1", userAgent: "vitest/helpdesk", locale: "nl", requestId: "vitest-helpdesk" };
const signInAs = (email: string, password = PASSWORD, locale = "nl") => ({
  userId: email,
  password,
  context: { ...context, ip: "10.77.0.2", locale },
});

describe.each(drivers())("helpdesk actions on %s", (driver) => {
  let h: DbHandle;
  let store: AccountStore;
  let admin: AdminIdentity;
  const queue: (() => Promise<void>)[] = [];
  const schedule: Schedule = (task) => void queue.push(task);
  const drain = async () => {
    while (queue.length) await queue.shift()!();
  };
  let n = 0;

  async function user(opts: { phone?: string | null } = {}) {
    const email = `hulp.${++n}@example.nl`;
    const added = await addUser(h.db, { email, firstName: "Hulp", lastName: `Vrager${n}`, phone: opts.phone ?? null, password: PASSWORD });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await h.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return { email, id: row!.id };
  }
  const rowsFor = (id: string, event: string) =>
    h.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, id), eq(auditEvents.event, event)))
      .orderBy(desc(auditEvents.id));
  const run = (accountId: string, action: "unlock" | "end-sessions" | "require-change", reason = "Melding 4711: belde zelf", now?: Date) =>
    runHelpdeskAction(h.db, { admin, accountId, action, reason }, { context, schedule, now }, store);
  const messagesFor = (id: string) => h.db.select().from(messageQueue).where(eq(messageQueue.userId, id));
  const outboxTo = (recipient: string) => h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, recipient));
  const textOf = (locale: "nl" | "en", action: "unlock" | "end-sessions" | "require-change") =>
    helpdeskText(locale, action, getConfig().orgName, getConfig().helpdesk.phone);

  beforeAll(async () => {
    h = await freshDb(driver);
    store = builtinAccountStore(h.db);
    const a = await user({ phone: "0611111111" });
    await h.db.update(users).set({ isAdmin: true }).where(eq(users.id, a.id));
    admin = { userId: a.id, email: a.email, displayName: "Hulp Vrager1" };
  });
  afterAll(async () => {
    await h?.close();
  });

  it("unlocks a locked account: the user signs in, the row names the administrator and the reason, an SMS in the user's language", async () => {
    const u = await user({ phone: "06-12345656" });
    await recordAudit(h.db, { event: "sign_in.failed", outcome: "failure", userId: u.id, locale: "nl" });
    await h.db.update(users).set({ failedSignIns: 5, lockedAt: new Date(), lockedUntil: null }).where(eq(users.id, u.id));
    // The user last used the portal in English (the administrator's page is Dutch).
    expect((await signIn(h.db, signInAs(u.email, PASSWORD, "en"), store)).kind).toBe("locked");

    expect(await run(u.id, "unlock")).toEqual({ kind: "done", notified: true });
    expect((await signIn(h.db, signInAs(u.email), store)).kind).toBe("success");

    const [row] = await rowsFor(u.id, "account.unlocked");
    expect(row).toMatchObject({
      outcome: "success",
      reason: "helpdesk",
      ip: context.ip,
      details: { admin: admin.email, adminId: admin.userId, note: "Melding 4711: belde zelf" },
    });
    // Queued with the change, before any attempt: the row carries the message's language and the administrator's request.
    expect(await messagesFor(u.id)).toMatchObject([
      { kind: "helpdesk-unlocked", status: "pending", attempts: 0, locale: "en", recipient: "+31612345656", body: textOf("en", "unlock") },
    ]);
    const [queued] = await rowsFor(u.id, "message.queued");
    expect(queued).toMatchObject({ reason: "notification:sms", locale: "en", ip: context.ip, details: { kind: "helpdesk-unlocked" } });
    expect(queued!.id).toBeGreaterThan(row!.id);
    await drain();
    const [sms] = await outboxTo("+31612345656");
    expect(sms).toMatchObject({ locale: "en", purpose: "notification" });
    expect(sms!.body).toMatch(/service desk has unlocked your account/);
    const [handed] = await rowsFor(u.id, "message.handed_over");
    expect(handed).toMatchObject({
      reason: "notification:sms",
      locale: "en",
      ip: context.ip,
      details: { kind: "helpdesk-unlocked", attempt: 1 },
    });
    expect(await messagesFor(u.id)).toMatchObject([{ status: "sent", attempts: 1, recipient: "", body: "" }]);
  });

  it("does nothing to an account that is not locked", async () => {
    const u = await user();
    expect(await run(u.id, "unlock")).toEqual({ kind: "not-locked" });
    expect(await rowsFor(u.id, "account.unlocked")).toHaveLength(0);
  });

  it("ends every session of the account, and texts nobody when there is no number", async () => {
    const u = await user();
    expect((await signIn(h.db, signInAs(u.email), store)).kind).toBe("success");
    const laptop = await openUserSession(h.db, u.id);
    const phone = await openUserSession(h.db, u.id);
    expect(await loadUserSession(h.db, laptop.token, { accounts: store })).not.toBeNull();

    expect(await run(u.id, "end-sessions")).toEqual({ kind: "done", notified: false });
    expect(await loadUserSession(h.db, laptop.token, { accounts: store })).toBeNull();
    expect(await loadUserSession(h.db, phone.token, { accounts: store })).toBeNull();
    expect(await rowsFor(u.id, "account.sessions_ended")).toHaveLength(1);
    expect(queue).toHaveLength(0);
    expect(await messagesFor(u.id)).toEqual([]);
    expect(await rowsFor(u.id, "message.queued")).toEqual([]);
  });

  it("ends the sessions of a user with a mobile: the SMS is queued with the change, and the worker delivers it after a failed attempt and a restart", async () => {
    const u = await user({ phone: "06-33333344" });
    // The user last used the portal in English; the administrator's page is Dutch.
    expect((await signIn(h.db, signInAs(u.email, PASSWORD, "en"), store)).kind).toBe("success");
    const session = await openUserSession(h.db, u.id);
    // Two minutes ago, so the first retry is due by now.
    const t0 = new Date(Date.now() - 120_000);

    expect(await run(u.id, "end-sessions", "Melding 4712: telefoon kwijt", t0)).toEqual({ kind: "done", notified: true });
    expect(await loadUserSession(h.db, session.token, { accounts: store })).toBeNull();
    const [message] = await messagesFor(u.id);
    expect(message).toMatchObject({ kind: "helpdesk-sessions-ended", status: "pending", locale: "en", body: textOf("en", "end-sessions") });
    expect(textOf("en", "end-sessions")).toMatch(/signed you out everywhere/);

    // The first attempt meets a provider error; then the process ends before anything else (its after() task is lost).
    const failing: Transport = {
      name: "failing",
      send: async () => ({ ok: false, error: "provider-error", providerCode: null, httpStatus: 500 }),
    };
    expect(await deliverDueMessages(h.db, { now: t0, ids: [message!.id], transport: failing })).toMatchObject({ retrying: 1 });
    queue.length = 0;
    // After the restart the worker sends it (the outbox transport, as configured).
    startMessageWorker({ db: async () => h.db, intervalMs: 60_000 });
    try {
      await expect.poll(async () => (await messagesFor(u.id))[0]!.status, { timeout: 10_000 }).toBe("sent");
    } finally {
      await stopMessageWorker();
    }
    const [sms] = await outboxTo("+31633333344");
    expect(sms).toMatchObject({ locale: "en", purpose: "notification", body: textOf("en", "end-sessions") });
    expect((await rowsFor(u.id, "message.failed")).map((r) => [r.locale, r.details?.attempt])).toEqual([["en", 1]]);
    expect((await rowsFor(u.id, "message.handed_over")).map((r) => [r.locale, r.details?.attempt])).toEqual([["en", 2]]);
    expect(await messagesFor(u.id)).toMatchObject([{ status: "sent", attempts: 2, recipient: "", body: "" }]);
  });

  it("requires a new password: the right one no longer signs in until a new one is set; the row names the administrator, the user is told", async () => {
    const u = await user({ phone: "0622222222" });
    expect(await run(u.id, "require-change", "Melding 4713: wachtwoord gedeeld")).toEqual({ kind: "done", notified: true });
    const [required] = await rowsFor(u.id, "account.password_change_required");
    expect(required).toMatchObject({
      outcome: "success",
      reason: "helpdesk",
      ip: context.ip,
      locale: "nl",
      details: { admin: admin.email, adminId: admin.userId, note: "Melding 4713: wachtwoord gedeeld" },
    });
    await drain();
    // The user never used the portal: the default language.
    const [sms] = await outboxTo("+31622222222");
    expect(sms).toMatchObject({ locale: "nl", purpose: "notification", body: textOf("nl", "require-change") });
    expect(sms!.body).toMatch(/servicedesk vraagt u een nieuw wachtwoord te kiezen/);
    expect(await messagesFor(u.id)).toMatchObject([{ kind: "helpdesk-change-required", status: "sent" }]);

    expect(await signIn(h.db, signInAs(u.email), store)).toEqual({ kind: "must-change" });
    // A wrong password still says only "wrong": the must-change answer is for whoever knows the password.
    expect(await signIn(h.db, signInAs(u.email, "Verkeerd2026!nee"), store)).toEqual({ kind: "invalid" });
    const [refused] = await rowsFor(u.id, "sign_in.refused");
    expect(refused).toMatchObject({ reason: "password-change-required" });
    expect(await rowsFor(u.id, "account.password_change_required")).toHaveLength(1);

    const account = await store.get(u.id);
    expect(account?.passwordChangeRequired).toBe(true);
    expect(await store.setPassword(account!, "Herfst2027!nieuw")).toEqual({ kind: "ok" });
    expect((await signIn(h.db, signInAs(u.email, "Herfst2027!nieuw"), store)).kind).toBe("success");
  });

  it("answers gone for an account id that does not exist", async () => {
    expect(await run("00000000-0000-4000-8000-000000000000", "end-sessions")).toEqual({ kind: "gone" });
  });
});
