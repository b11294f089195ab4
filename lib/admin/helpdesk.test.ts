// Helpdesk actions on the builtin store, on both drivers: each changes the account, writes one audit row naming the
// administrator in the same transaction, and texts the user in the language they last used.
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import type { AccountStore } from "@/lib/accounts/types";
import { recordAudit } from "@/lib/audit/record";
import { loadUserSession, openUserSession } from "@/lib/auth/sessions";
import { signIn } from "@/lib/auth/sign-in";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, outboxMessages, users } from "@/lib/db/schema";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { runHelpdeskAction, type Schedule } from "./helpdesk";
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
  const run = (accountId: string, action: "unlock" | "end-sessions" | "require-change", reason = "Melding 4711: belde zelf") =>
    runHelpdeskAction(h.db, { admin, accountId, action, reason }, { context, schedule }, store);

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
    await drain();
    const [sms] = await h.db.select().from(outboxMessages).where(eq(outboxMessages.recipient, "+31612345656"));
    expect(sms).toMatchObject({ locale: "en", purpose: "notification" });
    expect(sms!.body).toMatch(/service desk has unlocked your account/);
    const [handed] = await rowsFor(u.id, "message.handed_over");
    expect(handed).toMatchObject({ reason: "notification:sms", locale: "en" });
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
  });

  it("requires a new password: the right one no longer signs in until a new one is set", async () => {
    const u = await user({ phone: "0622222222" });
    expect(await run(u.id, "require-change")).toEqual({ kind: "done", notified: true });
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
    await drain();
  });

  it("answers gone for an account id that does not exist", async () => {
    expect(await run("00000000-0000-4000-8000-000000000000", "end-sessions")).toEqual({ kind: "gone" });
  });
});
