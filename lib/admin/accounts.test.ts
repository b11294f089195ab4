// The account lookup on both drivers: what an administrator sees of an account, and that it never shows the full number.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { addUser } from "@/lib/users/service";
import { drivers, freshDb } from "@/tests/db";
import { lookupAccount } from "./accounts";

const t0 = new Date("2026-03-02T09:00:00.000Z");

describe.each(drivers())("account lookup on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
    const added = await addUser(h.db, {
      email: "Jan.Jansen@example.nl",
      firstName: "Jan",
      lastName: "Jansen",
      phone: "06-12345656",
      password: "Zeilboot2026!",
    });
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
  });
  afterAll(async () => {
    await h?.close();
  });

  it("finds an account by any spelling of its user ID and shows its state with the number masked", async () => {
    await h.db
      .update(users)
      .set({ failedSignIns: 5, lockedAt: t0, lockedUntil: new Date(t0.getTime() + 30 * 60_000) })
      .where(eq(users.emailKey, "jan.jansen@example.nl"));
    const result = await lookupAccount(h.db, "  JAN.jansen@Example.nl ", new Date(t0.getTime() + 60_000));
    expect(result).toMatchObject({
      found: true,
      account: {
        email: "Jan.Jansen@example.nl",
        firstName: "Jan",
        lastName: "Jansen",
        isAdmin: false,
        locked: true,
        failedSignIns: 5,
        maskedMobile: "*****56",
      },
    });
    if (!result.found) throw new Error("not found");
    expect(result.account.lockedUntil).toEqual(new Date(t0.getTime() + 30 * 60_000));
    expect(result.account.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.account.updatedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(result)).not.toMatch(/612345656|passwordHash|\$argon2/);
  });

  it("shows a lock that has run out as no lock", async () => {
    const result = await lookupAccount(h.db, "jan.jansen@example.nl", new Date(t0.getTime() + 31 * 60_000));
    expect(result).toMatchObject({ found: true, account: { locked: false, lockedUntil: null, failedSignIns: 0 } });
  });

  it("answers an unknown user ID with its keyed hash, not the ID", async () => {
    const result = await lookupAccount(h.db, "niemand@example.nl");
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.subjectHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await lookupAccount(h.db, "NIEMAND@example.nl ")).toEqual(result);
  });
});
