// CSV import on both database drivers: all or nothing, every bad line reported, re-import updates instead of duplicating.
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, passwordHistory, users } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { drivers, freshDb } from "@/tests/db";
import { liveSessions, openUserSession } from "@/tests/sessions";
import { goodCsv, goodCsvPasswords, mixedCsv, mixedCsvProblems, updateCsv } from "@/tests/fixtures/users-csv";
import { readUsersCsv } from "./csv";
import { countUsers, findUser, importUsers, lockUser } from "./service";

function readCsv(text: string) {
  const csv = readUsersCsv(text);
  if (!csv.ok) throw new Error(csv.problems.map((p) => p.message).join("; "));
  return csv.value;
}

async function importCsv(db: DbHandle["db"], text: string) {
  const csv = readCsv(text);
  return importUsers(db, csv.rows, csv.problems);
}

describe.each(drivers())("CSV import on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  const row = async (email: string) => (await h.db.select().from(users).where(eq(users.emailKey, email)))[0]!;
  const historyCount = async (email: string) =>
    (
      await h.db
        .select()
        .from(passwordHistory)
        .where(eq(passwordHistory.userId, (await row(email)).id))
    ).length;

  it("imports nothing from a file with good and bad rows, and reports every bad line with its field", async () => {
    const result = await importCsv(h.db, mixedCsv);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => [p.line, p.field])).toEqual(mixedCsvProblems.map((p) => [p.line, p.field]));
    problems.forEach((p, i) => expect(p.message).toMatch(mixedCsvProblems[i]!.pattern));
    // The good lines (2 and 10) are not reported, and not imported either.
    expect(problems.some((p) => p.line === 2 || p.line === 10)).toBe(false);
    expect(await countUsers(h.db)).toBe(0);
    expect(await h.db.select().from(auditEvents)).toHaveLength(0);
  });

  it("imports every user of a good file", async () => {
    expect(await importCsv(h.db, goodCsv)).toEqual({ ok: true, added: 3, updated: 0 });
    expect(await countUsers(h.db)).toBe(3);
    expect(await findUser(h.db, "anna.smit@example.nl")).toMatchObject({
      firstName: "Anna",
      lastName: "Smit",
      mobile: "+31612345678",
      isAdmin: false,
    });
    expect(await findUser(h.db, "bert.bos@example.nl")).toMatchObject({ mobile: "+31623456789", isAdmin: true });
    expect(await findUser(h.db, "carla.dekker@example.nl")).toMatchObject({
      lastName: "Dekker-van Dam",
      mobile: "+31634567890",
      isAdmin: false,
    });
    for (const [email, password] of Object.entries(goodCsvPasswords)) {
      expect(await verifyPassword((await row(email)).passwordHash, password)).toBe(true);
      expect(await historyCount(email)).toBe(1);
    }
  });

  it("re-importing the same file updates instead of duplicating, and leaves passwords and sessions alone", async () => {
    const before = await h.db.select().from(users).orderBy(asc(users.emailKey));
    for (const u of before) await openUserSession(h.db, u.id);
    expect(await importCsv(h.db, goodCsv)).toEqual({ ok: true, added: 0, updated: 3 });
    const after = await h.db.select().from(users).orderBy(asc(users.emailKey));
    expect(after).toHaveLength(3);
    expect(after.map((u) => [u.passwordHash, u.passwordChangedAt.getTime()])).toEqual(
      before.map((u) => [u.passwordHash, u.passwordChangedAt.getTime()]),
    );
    for (const u of after) expect(await liveSessions(h.db, u.id)).toBe(1);
    expect(await historyCount("anna.smit@example.nl")).toBe(1);
    const updatedEvents = await h.db.select().from(auditEvents).where(eq(auditEvents.event, "user.updated"));
    expect(updatedEvents).toHaveLength(0);
  });

  it("updates the columns a file has, matched in any case, and keeps the ones it leaves out", async () => {
    expect(await importCsv(h.db, updateCsv)).toEqual({ ok: true, added: 1, updated: 2 });
    expect(await countUsers(h.db)).toBe(4);
    expect(await findUser(h.db, "anna.smit@example.nl")).toMatchObject({ lastName: "Smit-Jansen", mobile: "+31611112222" });
    expect(await verifyPassword((await row("anna.smit@example.nl")).passwordHash, "Narcistuin2026")).toBe(true);
    // An empty mobile cell removes the number; no admin column keeps the role.
    expect(await findUser(h.db, "bert.bos@example.nl")).toMatchObject({ mobile: null, isAdmin: true });
    expect(await findUser(h.db, "carla.dekker@example.nl")).toMatchObject({ mobile: "+31634567890" });
    expect(await findUser(h.db, "dirk.visser@example.nl")).toMatchObject({ mobile: "+31633334444", isAdmin: false });
    const events = await h.db
      .select({ event: auditEvents.event, details: auditEvents.details })
      .from(auditEvents)
      .where(eq(auditEvents.event, "user.updated"));
    expect(events.map((e) => e.details?.changed).sort()).toEqual(["email,lastName,mobile", "mobile"]);
  });

  it("a new password in the file is checked against the history; a changed one unlocks and ends sessions", async () => {
    const header = "email,first_name,last_name,password";
    await lockUser(h.db, "carla.dekker@example.nl");
    const before = await row("carla.dekker@example.nl");
    await openUserSession(h.db, before.id);
    expect(await importCsv(h.db, `${header}\ncarla.dekker@example.nl,Carla,Dekker-van Dam,Krokusveld2026x\n`)).toEqual({
      ok: true,
      added: 0,
      updated: 1,
    });
    const after = await row("carla.dekker@example.nl");
    expect(await verifyPassword(after.passwordHash, "Krokusveld2026x")).toBe(true);
    expect(after).toMatchObject({ lockedAt: null, failedSignIns: 0 });
    expect(await liveSessions(h.db, after.id)).toBe(0);
    expect(await historyCount("carla.dekker@example.nl")).toBe(2);

    // Going back to the first password is refused, and so nothing else in that file is imported either.
    const result = await importCsv(
      h.db,
      `${header}\nnew.person@example.nl,New,Person,Nieuwkomer2026x\ncarla.dekker@example.nl,Carla,Dekker-van Dam,"Zeilboot,2026""!"\n`,
    );
    expect(result).toEqual({ ok: false, problems: [{ line: 3, field: "password", message: expect.stringMatching(/was used before/) }] });
    expect(await findUser(h.db, "new.person@example.nl")).toBeNull();
    expect(await verifyPassword((await row("carla.dekker@example.nl")).passwordHash, "Krokusveld2026x")).toBe(true);
  });

  it("refuses the same user twice in one file, in any case", async () => {
    const result = await importCsv(h.db, "email,first_name,last_name\nx.y@example.nl,X,Y\nX.Y@EXAMPLE.NL,X,Y\n");
    expect(result).toEqual({ ok: false, problems: [{ line: 3, field: "email", message: "X.Y@EXAMPLE.NL is already on line 2" }] });
  });
});
