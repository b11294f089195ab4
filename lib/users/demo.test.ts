// The demo users printed at start: a changed demo password is never printed (it would not work, and the new one is private).
import { ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { freshDb } from "@/tests/db";
import { guessabilityRules } from "@/lib/password/check";
import { checkPasswordRules } from "@/lib/password/policy";
import { verifyPassword } from "@/lib/password/hash";
import { demoUsers, formatDemoUsers, prepareDemoUsers, seedDemoUsers } from "./demo";
import { setPassword } from "./service";

describe("demo users", () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb("pglite");
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("prints each demo password until it is changed, then '(changed)' instead", async () => {
    const first = await seedDemoUsers(handle.db, "flynth.nl");
    expect(first.every((u) => !u.passwordChanged)).toBe(true);
    expect(formatDemoUsers(first)).toContain("Zeilboot2026!");

    expect(await setPassword(handle.db, "jan.jansen@flynth.nl", "Golfslag2029!x")).toMatchObject({ ok: true });
    const again = await seedDemoUsers(handle.db, "flynth.nl");
    expect(again.find((u) => u.email === "jan.jansen@flynth.nl")).toMatchObject({ passwordChanged: true });
    const printed = formatDemoUsers(again);
    expect(printed).not.toContain("Zeilboot2026!");
    expect(printed).not.toContain("Golfslag2029!x");
    expect(printed).toMatch(/jan\.jansen@flynth\.nl\s+\(changed\)/);
    // The others still work with their demo passwords.
    expect(printed).toContain("Tulpenbol2026!");
  });

  it("have passwords that meet the default rules, which their seeding does not check (so a first start loads no dictionaries)", async () => {
    for (const u of demoUsers("flynth.nl")) {
      expect(checkPasswordRules(u.password, { lastName: u.lastName }), u.email).toEqual([]);
      const owner = { id: null, email: u.email, firstName: u.firstName, lastName: u.lastName };
      expect(await guessabilityRules(u.password, owner), u.email).toEqual([]);
    }
  });

  it("seeds the missing ones only, and leaves an existing one's password alone", async () => {
    const fresh = await freshDb("pglite");
    try {
      const [first] = await seedDemoUsers(fresh.db, "example.org");
      expect(first).toMatchObject({ email: "jan.jansen@example.org", passwordChanged: false });
      const counts = async () => {
        const rows = await fresh.db.select({ lockedAt: users.lockedAt }).from(users);
        return { n: rows.length, locked: rows.filter((r) => r.lockedAt).length };
      };
      expect(await counts()).toEqual({ n: 4, locked: 1 });
      const again = await seedDemoUsers(fresh.db, "example.org");
      expect(again.map((u) => u.passwordChanged)).toEqual([false, false, false, false]);
      expect(await counts()).toEqual({ n: 4, locked: 1 });
    } finally {
      await fresh.close();
    }
  });

  it("can be hashed before the database is open (as the start does), and then only the missing ones are written", async () => {
    const prepared = prepareDemoUsers("example.net");
    const fresh = await freshDb("pglite");
    try {
      const jan = demoUsers("example.net")[0]!;
      await seedDemoUsers(fresh.db, "example.net");
      expect(await setPassword(fresh.db, jan.email, "Golfslag2029!x")).toMatchObject({ ok: true });
      await fresh.db.delete(users).where(ne(users.email, jan.email));

      const seeded = await seedDemoUsers(fresh.db, "example.net", prepared);
      expect(seeded.map((u) => u.passwordChanged)).toEqual([true, false, false, false]);
      const rows = await fresh.db.select({ email: users.email, passwordHash: users.passwordHash }).from(users);
      expect(rows).toHaveLength(4);
      for (const u of demoUsers("example.net")) {
        const hash = rows.find((r) => r.email === u.email)!.passwordHash;
        expect(await verifyPassword(hash, u.email === jan.email ? "Golfslag2029!x" : u.password), u.email).toBe(true);
      }
    } finally {
      await fresh.close();
    }
  });
});
