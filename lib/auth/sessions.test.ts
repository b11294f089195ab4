// Server-side portal sessions on both database drivers: a token signs in only while its row is live; sign-out, a
// password change and the lifetime end it (a copied token is refused afterwards); a directory account, which has no
// users row, signs in and is ended the same way; admin sessions of the account end together with its portal sessions.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Account, AccountStore } from "@/lib/accounts/types";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import type { DbHandle } from "@/lib/db/client";
import { adminSessions, userSessions } from "@/lib/db/schema";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { endAllSessions, endUserSession, loadUserSession, openUserSession } from "./sessions";

const t0 = new Date("2026-03-02T09:00:00.000Z");
const hours = (n: number) => new Date(t0.getTime() + n * 3600_000);

/** A directory's account: Toegang knows only its id (directory_accounts), there is no users row. */
function directoryStore(account: Account | null): AccountStore {
  const unused = () => Promise.reject(new Error("not used here"));
  return {
    kind: "ad",
    lockout: "directory",
    find: async () => account,
    get: async (id) => (account && account.id === id ? account : null),
    checkPassword: unused,
    setPassword: unused,
    unlock: unused,
    requirePasswordChange: unused,
    mobileConfirmedAt: unused,
    setMobile: unused,
    confirmMobile: unused,
    ping: async () => {},
  };
}

const directoryAccount: Account = {
  id: "6f1c2b7e-0000-4000-8000-0000000000a1",
  source: "ad",
  userId: "noor.bakker@toegang.test",
  firstName: "Noor",
  lastName: "Bakker",
  mobile: "+31612345678",
  locked: false,
  lockedUntil: null,
  passwordChangedAt: null,
  isAdmin: false,
};

describe.each(drivers())("server-side sessions on %s", (driver) => {
  let h: DbHandle;
  let n = 0;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function builtinAccount(): Promise<{ id: string; accounts: AccountStore }> {
    const email = `sessie${++n}.jansen@example.nl`;
    const added = await addUser(h.db, { email, firstName: "Jan", lastName: "Jansen", password: "Zeilboot2026!" });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const accounts = builtinAccountStore(h.db);
    return { id: (await accounts.find(email))!.id, accounts };
  }

  it("signs in with a live token, and a copy of it stops working once the session is signed out", async () => {
    const { id, accounts } = await builtinAccount();
    const { token } = await openUserSession(h.db, id, t0);
    const copied = `${token}`;
    expect((await loadUserSession(h.db, token, { now: hours(1), accounts }))?.account.id).toBe(id);
    expect(await endUserSession(h.db, token, "signed-out", hours(1))).toBe(id);
    expect(await loadUserSession(h.db, copied, { now: hours(1), accounts })).toBeNull();
    // Signing out twice ends nothing more.
    expect(await endUserSession(h.db, copied, "signed-out", hours(2))).toBeNull();
    const [row] = await h.db.select().from(userSessions).where(eq(userSessions.accountId, id));
    expect(row).toMatchObject({ endedAt: hours(1), endedReason: "signed-out" });
  });

  it("ends at the end of its lifetime (USER_SESSION_HOURS, 8 by default)", async () => {
    const { id, accounts } = await builtinAccount();
    const { token } = await openUserSession(h.db, id, t0);
    expect(await loadUserSession(h.db, token, { now: new Date(hours(8).getTime() - 1), accounts })).not.toBeNull();
    expect(await loadUserSession(h.db, token, { now: hours(8), accounts })).toBeNull();
    // Ended for good: the clock going back does not revive it.
    expect(await loadUserSession(h.db, token, { now: hours(1), accounts })).toBeNull();
    const [row] = await h.db.select().from(userSessions).where(eq(userSessions.accountId, id));
    expect(row!.endedReason).toBe("expired");
  });

  it("a password change ends every session of the account, portal and admin, and no other account's", async () => {
    const { id, accounts } = await builtinAccount();
    const other = await builtinAccount();
    const first = await openUserSession(h.db, id, t0);
    const second = await openUserSession(h.db, id, t0);
    const others = await openUserSession(h.db, other.id, t0);
    await h.db.insert(adminSessions).values({ tokenHash: `admin-${id}`, userId: id, stage: "active", locale: "nl", expiresAt: hours(8) });
    await h.db.transaction((tx) => endAllSessions(tx, id, "password-changed", hours(1)));
    expect(await loadUserSession(h.db, first.token, { now: hours(1), accounts })).toBeNull();
    expect(await loadUserSession(h.db, second.token, { now: hours(1), accounts })).toBeNull();
    expect(await loadUserSession(h.db, others.token, { now: hours(1), accounts: other.accounts })).not.toBeNull();
    const [admin] = await h.db.select().from(adminSessions).where(eq(adminSessions.userId, id));
    expect(admin).toMatchObject({ stage: "ended", endedReason: "password-changed" });
  });

  it("works for a directory account that has no users row, and ends when the directory no longer knows it", async () => {
    const { token } = await openUserSession(h.db, directoryAccount.id, t0);
    expect(await loadUserSession(h.db, token, { now: hours(1), accounts: directoryStore(directoryAccount) })).toEqual({
      id: expect.any(String),
      account: directoryAccount,
    });
    // Disabled or removed in the directory: the session ends.
    expect(await loadUserSession(h.db, token, { now: hours(2), accounts: directoryStore(null) })).toBeNull();
    expect(await loadUserSession(h.db, token, { now: hours(3), accounts: directoryStore(directoryAccount) })).toBeNull();
    const [row] = await h.db.select().from(userSessions).where(eq(userSessions.accountId, directoryAccount.id));
    expect(row!.endedReason).toBe("account-gone");
  });

  it("refuses tokens it never issued", async () => {
    expect(await loadUserSession(h.db, "not-a-token", { now: t0, accounts: directoryStore(directoryAccount) })).toBeNull();
    expect(await loadUserSession(h.db, undefined, { now: t0 })).toBeNull();
  });
});
