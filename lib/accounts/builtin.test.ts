// The builtin account store on both drivers: finding accounts by any spelling, unknown and malformed IDs as nothing,
// passwords checked (unknown IDs answered like wrong passwords), a new password against the history, unlocking, and a
// record that no longer wants the change leaving everything as it was.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle, Tx } from "@/lib/db/client";
import { passwordHistory, users } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { builtinAccountStore } from "./builtin";
import type { AccountStore } from "./types";

const PASSWORD = "Zeilboot2026!start";
const t0 = new Date("2026-03-02T09:00:00.000Z");

describe.each(drivers())("builtin account store on %s", (driver) => {
  let h: DbHandle;
  let store: AccountStore;
  let n = 0;
  beforeAll(async () => {
    h = await freshDb(driver);
    store = builtinAccountStore(h.db, { clock: () => t0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function newUser(): Promise<{ id: string; email: string }> {
    const email = `Store${++n}.Jansen@example.nl`;
    const added = await addUser(h.db, { email, firstName: "Jan", lastName: "Jansen", phone: "06-12345656", password: PASSWORD });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const [row] = await h.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return { id: row!.id, email };
  }
  const row = async (id: string) => (await h.db.select().from(users).where(eq(users.id, id)))[0]!;
  const history = async (id: string) => h.db.select().from(passwordHistory).where(eq(passwordHistory.userId, id));

  it("finds an account by any spelling of its user ID, and describes it without anything secret", async () => {
    const u = await newUser();
    const account = await store.find(`  ${u.email.toUpperCase()} `);
    expect(account).toEqual({
      id: u.id,
      source: "builtin",
      userId: u.email,
      firstName: "Jan",
      lastName: "Jansen",
      mobile: "+31612345656",
      locked: false,
      lockedUntil: null,
      passwordChangedAt: expect.any(Date),
      passwordChangeRequired: false,
      isAdmin: false,
    });
    expect(await store.get(u.id)).toEqual(account);
    expect(await store.describe!(account!)).toEqual({ createdAt: expect.any(Date), updatedAt: expect.any(Date) });
    expect(JSON.stringify(account)).not.toMatch(/argon2|passwordHash/);
  });

  it("answers unknown and malformed IDs with nothing", async () => {
    expect(await store.find("niemand@example.nl")).toBeNull();
    expect(await store.get("00000000-0000-0000-0000-000000000000")).toBeNull();
    expect(await store.get("'; drop table users; --")).toBeNull();
  });

  it("a lock shows until it ends by itself", async () => {
    const u = await newUser();
    await h.db
      .update(users)
      .set({ lockedAt: t0, lockedUntil: new Date(t0.getTime() + 60_000), failedSignIns: 5 })
      .where(eq(users.id, u.id));
    expect(await store.get(u.id)).toMatchObject({ locked: true, lockedUntil: new Date(t0.getTime() + 60_000) });
    const later = builtinAccountStore(h.db, { clock: () => new Date(t0.getTime() + 60_000) });
    expect(await later.get(u.id)).toMatchObject({ locked: false, lockedUntil: null });
  });

  it("checks a password; an unknown ID and a wrong password get the same answer", async () => {
    const u = await newUser();
    expect(await store.checkPassword(u.email, PASSWORD)).toMatchObject({ kind: "ok", account: { id: u.id } });
    expect(await store.checkPassword(u.email, "Verkeerd2026?")).toEqual({ kind: "wrong" });
    expect(await store.checkPassword("niemand@example.nl", PASSWORD)).toEqual({ kind: "wrong" });
  });

  it("sets a new password (history grows, the lock goes), and refuses one from the history or a near-miss of one", async () => {
    const u = await newUser();
    await h.db.update(users).set({ lockedAt: t0, lockedUntil: null, failedSignIns: 5 }).where(eq(users.id, u.id));
    const account = (await store.get(u.id))!;
    expect(await store.setPassword(account, PASSWORD)).toEqual({ kind: "refused", rules: ["history"] });
    expect(await store.setPassword(account, PASSWORD.replace("2026", "2027"))).toEqual({ kind: "refused", rules: ["previous"] });
    expect(await store.setPassword(account, "Herfst2027!nieuw")).toEqual({ kind: "ok" });
    const after = await row(u.id);
    expect(await verifyPassword(after.passwordHash, "Herfst2027!nieuw")).toBe(true);
    expect(after).toMatchObject({ lockedAt: null, lockedUntil: null, failedSignIns: 0, passwordChangedAt: t0 });
    expect(await history(u.id)).toHaveLength(2);
  });

  it("changes nothing when the record says no, and commits the record's writes with the change", async () => {
    const u = await newUser();
    await h.db.update(users).set({ lockedAt: t0, lockedUntil: null, failedSignIns: 5 }).where(eq(users.id, u.id));
    const account = (await store.get(u.id))!;
    const before = await row(u.id);
    expect(await store.setPassword(account, "Herfst2027!nieuw", async () => false)).toEqual({ kind: "superseded" });
    expect(await store.unlock(account, async () => false)).toEqual({ kind: "superseded" });
    expect(await row(u.id)).toEqual(before);
    expect(await history(u.id)).toHaveLength(1);

    await h.db.execute(sql`create table if not exists test_store_record (id uuid primary key)`);
    const recorded = async (tx: Tx) => {
      await tx.execute(sql`insert into test_store_record (id) values (${u.id})`);
      return true;
    };
    expect(await store.unlock(account, recorded)).toEqual({ kind: "ok" });
    expect(await row(u.id)).toMatchObject({ lockedAt: null, failedSignIns: 0, passwordHash: before.passwordHash });
    const failing = async () => {
      throw new Error("record refused");
    };
    await h.db.update(users).set({ lockedAt: t0 }).where(eq(users.id, u.id));
    await expect(store.unlock(account, failing)).rejects.toThrow("record refused");
    expect((await row(u.id)).lockedAt).toEqual(t0);
  });
});
