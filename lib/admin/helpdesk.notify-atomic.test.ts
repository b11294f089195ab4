// A helpdesk action's change, its audit row and the user's queued SMS commit together or not at all, on both drivers:
// when the database fails at any one of those writes (the action's audit row, the message, the message's audit row, the
// account's own write — the last statement of the change), none of them exists; once the database is back the same
// action completes with all of them. A directory's write failing after the record rolls the rows and the message back
// too. (The failure is raised by a trigger, as in lib/recovery/steps.notify-atomic.test.ts.)
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import { AccountStoreUnavailable, type Account, type AccountStore, type RecordChange } from "@/lib/accounts/types";
import { loadUserSession, openUserSession } from "@/lib/auth/sessions";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, messageQueue, users } from "@/lib/db/schema";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import type { Schedule } from "@/lib/background";
import { runHelpdeskAction, type HelpdeskAction } from "./helpdesk";
import type { AdminIdentity } from "./session";

const PASSWORD = "Zeilboot2026!start";
const context = { ip: "10.78.0.1", userAgent: "vitest/helpdesk-atomic", locale: "nl", requestId: "vitest-helpdesk-atomic" };

/** Each action: its audit event, its message's kind, and the table its own change writes last. */
const actions = {
  unlock: { event: "account.unlocked", kind: "helpdesk-unlocked", table: "users" },
  "end-sessions": { event: "account.sessions_ended", kind: "helpdesk-sessions-ended", table: "user_sessions" },
  "require-change": { event: "account.password_change_required", kind: "helpdesk-change-required", table: "users" },
} as const satisfies Record<HelpdeskAction, { event: string; kind: string; table: string }>;
type Action = keyof typeof actions;

/** Where the database fails: the trigger's timing and table (with a condition) for an action. */
const failurePoints = {
  "the action's audit row": (a: Action) => `before insert on audit_events for each row when (new.event = '${actions[a].event}')`,
  "the message row": () => `before insert on message_queue for each row`,
  "the message's audit row": () => `before insert on audit_events for each row when (new.event = 'message.queued')`,
  "the account's own write": (a: Action) => `before update on ${actions[a].table} for each row`,
} as const;
type FailurePoint = keyof typeof failurePoints;

const cases = (Object.keys(actions) as Action[]).flatMap((action) =>
  (Object.keys(failurePoints) as FailurePoint[]).map((point) => [action, point] as const),
);

describe.each(drivers())("helpdesk alerts commit with their change on %s", (driver) => {
  let h: DbHandle;
  let store: AccountStore;
  let admin: AdminIdentity;
  const queue: (() => Promise<void>)[] = [];
  const schedule: Schedule = (task) => void queue.push(task);
  let n = 0;

  beforeAll(async () => {
    h = await freshDb(driver);
    store = builtinAccountStore(h.db);
    const a = await user({ locked: false });
    await h.db.update(users).set({ isAdmin: true }).where(eq(users.id, a.id));
    admin = { userId: a.id, email: a.email, displayName: "Hulp Beheerder" };
  });
  afterEach(async () => {
    await databaseBack();
    queue.length = 0;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A user with a mobile number and an open session, locked for the unlock. */
  async function user({ locked }: { locked: boolean }) {
    const email = `atomair.${++n}@example.nl`;
    const added = await addUser(h.db, { email, firstName: "Atomair", lastName: `Gebruiker${n}`, phone: "0644444444", password: PASSWORD });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await h.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (locked) await h.db.update(users).set({ failedSignIns: 5, lockedAt: new Date(), lockedUntil: null }).where(eq(users.id, row!.id));
    const session = await openUserSession(h.db, row!.id);
    return { email, id: row!.id, token: session.token };
  }

  async function failAt(point: FailurePoint, action: Action) {
    await h.db.execute(
      sql.raw(`create or replace function fail_helpdesk() returns trigger language plpgsql as $$
        begin raise exception 'database gone' using errcode = '57P01'; return new; end $$`),
    );
    await h.db.execute(sql.raw(`create trigger fail_helpdesk ${failurePoints[point](action)} execute function fail_helpdesk()`));
  }
  async function databaseBack() {
    for (const table of ["audit_events", "message_queue", "users", "user_sessions"]) {
      await h.db.execute(sql.raw(`drop trigger if exists fail_helpdesk on ${table}`));
    }
  }

  /** What the action changed, in words: the same for every action, so one assertion covers all three. */
  async function changed(action: Action, u: { id: string; token: string }) {
    switch (action) {
      case "unlock":
        return !(await store.get(u.id))!.locked;
      case "require-change":
        return (await store.get(u.id))!.passwordChangeRequired === true;
      case "end-sessions":
        return (await loadUserSession(h.db, u.token, { accounts: store })) === null;
    }
  }
  const eventsOf = async (id: string) =>
    (await h.db.select({ event: auditEvents.event }).from(auditEvents).where(eq(auditEvents.userId, id)).orderBy(asc(auditEvents.id))).map(
      (r) => r.event,
    );
  const messagesOf = (id: string) => h.db.select().from(messageQueue).where(eq(messageQueue.userId, id));
  const run = (action: Action, accountId: string, accounts: AccountStore = store) =>
    runHelpdeskAction(h.db, { admin, accountId, action, reason: "Melding 4800: storing" }, { context, schedule }, accounts);

  it.each(cases)("%s, with the database failing at %s: no change, no row, no message; then all three", async (action, point) => {
    const u = await user({ locked: action === "unlock" });
    const before = await eventsOf(u.id);

    await failAt(point, action);
    try {
      await expect(run(action, u.id)).rejects.toThrow();
    } finally {
      await databaseBack();
    }
    expect(await changed(action, u)).toBe(false);
    expect(await eventsOf(u.id)).toEqual(before);
    expect(await messagesOf(u.id)).toEqual([]);
    expect(queue).toHaveLength(0);

    // The database is back: the administrator confirms again and the change comes with its row and its message.
    expect(await run(action, u.id)).toEqual({ kind: "done", notified: true });
    expect(await changed(action, u)).toBe(true);
    expect((await eventsOf(u.id)).slice(before.length)).toEqual([actions[action].event, "message.queued"]);
    expect(await messagesOf(u.id)).toMatchObject([{ kind: actions[action].kind, status: "pending", attempts: 0 }]);
    expect(queue).toHaveLength(1);
  });

  it.each(["unlock", "require-change"] as const)(
    "%s on a directory whose write fails after the record: no row and no message",
    async (action) => {
      const u = await user({ locked: action === "unlock" });
      const before = await eventsOf(u.id);
      // As DirectoryStore.recorded: the record's transaction stays open around the directory's write, which fails.
      const failing = (_account: Account, record?: RecordChange) =>
        h.db.transaction(async (tx): Promise<never> => {
          await record!(tx);
          throw new AccountStoreUnavailable("directory gone mid-write");
        });
      const directory: AccountStore = { ...store, unlock: failing, requirePasswordChange: failing };

      await expect(run(action, u.id, directory)).rejects.toBeInstanceOf(AccountStoreUnavailable);
      expect(await changed(action, u)).toBe(false);
      expect(await eventsOf(u.id)).toEqual(before);
      expect(await messagesOf(u.id)).toEqual([]);
      expect(queue).toHaveLength(0);
    },
  );
});
