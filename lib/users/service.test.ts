// Operator account management on both database drivers: add, list, show, lock, unlock, phone, password, admin rights.
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, passwordHistory, users } from "@/lib/db/schema";
import { verifyPassword } from "@/lib/password/hash";
import { drivers, freshDb } from "@/tests/db";
import { liveSessions, openUserSession } from "@/tests/sessions";
import {
  addUser,
  countUsers,
  describeBrokenRules,
  findUser,
  grantAdmin,
  listUsers,
  lockUser,
  setPassword,
  setPhone,
  unlockUser,
  validateUserInput,
} from "./service";

const base = { email: "jan.jansen@example.nl", firstName: "Jan", lastName: "Jansen" };

describe("validateUserInput", () => {
  it("normalises a good user: trimmed names, E.164 mobile, lower-case key, spelling kept", () => {
    const v = validateUserInput({
      email: " Jan.Jansen@Example.nl ",
      firstName: " Jan ",
      lastName: "Jansen ",
      phone: "06-12345678",
      password: "Zeilboot2026!",
      isAdmin: true,
    });
    expect(v).toEqual({
      ok: true,
      value: {
        email: "Jan.Jansen@Example.nl",
        emailKey: "jan.jansen@example.nl",
        firstName: "Jan",
        lastName: "Jansen",
        mobile: "+31612345678",
        password: "Zeilboot2026!",
        isAdmin: true,
      },
    });
  });

  it("keeps 'not given' apart from 'none' for the phone and admin flag", () => {
    const notGiven = validateUserInput(base);
    expect(notGiven.ok && notGiven.value).toMatchObject({ mobile: undefined, isAdmin: undefined, password: null });
    const none = validateUserInput({ ...base, phone: null });
    expect(none.ok && none.value.mobile).toBeNull();
    const blank = validateUserInput({ ...base, phone: "  " });
    expect(blank.ok && blank.value.mobile).toBeNull();
  });

  it("names every problem with its field", () => {
    const v = validateUserInput({ email: "nope", firstName: "", lastName: "Bos\nBos", phone: "020-1234567", password: "kort" });
    expect(v.ok ? [] : v.problems).toEqual([
      { field: "email", message: '"nope" is not an e-mail address' },
      { field: "first_name", message: "is empty" },
      { field: "last_name", message: "contains a line break or control character" },
      { field: "mobile", message: '"020-1234567" is not a mobile number' },
      { field: "password", message: "is shorter than 8 characters, has no upper-case letter, has no digit" },
    ]);
  });

  it("refuses a mobile number outside the allowed countries, so adding or importing such a user fails", () => {
    const v = validateUserInput({ ...base, phone: "+49 151 23456789" });
    expect(v.ok ? [] : v.problems).toEqual([
      { field: "mobile", message: '"+49 151 23456789" is a number in DE; codes go only to NL (SMS_ALLOWED_COUNTRIES)' },
    ]);
  });

  it("refuses an unparseable phone number and an over-long name", () => {
    const v = validateUserInput({ ...base, firstName: "J".repeat(101), phone: "bel me" });
    expect(v.ok ? [] : v.problems).toEqual([
      { field: "first_name", message: "is longer than 100 characters" },
      { field: "mobile", message: '"bel me" is not a valid phone number' },
    ]);
  });

  it("checks the password against the last name it is given", () => {
    const v = validateUserInput({ ...base, lastName: "van der Berg", password: "Bergen2026" });
    expect(v.ok ? [] : v.problems).toEqual([{ field: "password", message: "contains the last name" }]);
  });

  it("describes broken rules in one line", () => {
    expect(describeBrokenRules(["digit", "history"])).toBe("has no digit, was used before (the last 24 passwords cannot be reused)");
  });
});

describe.each(drivers())("user service on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  const events = async (email: string) => {
    const [u] = await h.db.select({ id: users.id }).from(users).where(eq(users.emailKey, email.toLowerCase()));
    const rows = await h.db
      .select({ event: auditEvents.event })
      .from(auditEvents)
      .where(eq(auditEvents.userId, u!.id))
      .orderBy(asc(auditEvents.id));
    return rows.map((r) => r.event);
  };

  it("adds a user with a normalised mobile number and the password in the history", async () => {
    expect(await addUser(h.db, { ...base, phone: "+31 6 1234 5678", password: "Zeilboot2026!" })).toEqual({ ok: true });
    const [row] = await h.db.select().from(users).where(eq(users.emailKey, "jan.jansen@example.nl"));
    expect(row).toMatchObject({ email: "jan.jansen@example.nl", mobile: "+31612345678", isAdmin: false, failedSignIns: 0, lockedAt: null });
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.passwordHash, "Zeilboot2026!")).toBe(true);
    expect(await h.db.select().from(passwordHistory).where(eq(passwordHistory.userId, row!.id))).toHaveLength(1);
    expect(await events("jan.jansen@example.nl")).toEqual(["user.created"]);
  });

  it("refuses the same user ID in another case, and leaves the first one alone", async () => {
    const result = await addUser(h.db, { ...base, email: "JAN.JANSEN@example.nl", firstName: "Other", password: "Winter2026!" });
    expect(result).toEqual({ ok: false, problems: [{ field: "email", message: expect.stringMatching(/already exists/) }] });
    expect(await countUsers(h.db)).toBe(1);
    expect((await findUser(h.db, "jan.jansen@example.nl"))!.firstName).toBe("Jan");
  });

  it("refuses a user with problems and stores nothing", async () => {
    const result = await addUser(h.db, {
      email: "piet.bos@example.nl",
      firstName: "Piet",
      lastName: "Bos",
      phone: "020-1234567",
      password: "Bosbes2026",
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(["mobile", "password"]);
    expect(await findUser(h.db, "piet.bos@example.nl")).toBeNull();
  });

  it("adds a user without a phone or password: no number, and an unusable random password", async () => {
    expect(await addUser(h.db, { email: "Kees.Bakker@example.nl", firstName: "Kees", lastName: "Bakker", isAdmin: true })).toEqual({
      ok: true,
    });
    const [row] = await h.db.select().from(users).where(eq(users.emailKey, "kees.bakker@example.nl"));
    expect(row).toMatchObject({ email: "Kees.Bakker@example.nl", mobile: null, isAdmin: true });
    expect(await h.db.select().from(passwordHistory).where(eq(passwordHistory.userId, row!.id))).toHaveLength(0);
  });

  it("lists users sorted by user ID without any password hash", async () => {
    const list = await listUsers(h.db);
    expect(list.map((u) => u.email)).toEqual(["jan.jansen@example.nl", "Kees.Bakker@example.nl"]);
    expect(JSON.stringify(list)).not.toMatch(/argon2|passwordHash/);
    expect(list[0]).toEqual({
      email: "jan.jansen@example.nl",
      firstName: "Jan",
      lastName: "Jansen",
      mobile: "+31612345678",
      isAdmin: false,
      locked: false,
      lockedUntil: null,
      failedSignIns: 0,
      passwordChangedAt: expect.any(Date),
      createdAt: expect.any(Date),
    });
  });

  it("finds a user by any spelling of the user ID, and nobody for an unknown one", async () => {
    expect((await findUser(h.db, "  KEES.bakker@EXAMPLE.nl "))!.email).toBe("Kees.Bakker@example.nl");
    expect(await findUser(h.db, "nobody@example.nl")).toBeNull();
  });

  it("locks until unlocked, and unlocking clears the failure counter", async () => {
    await h.db.update(users).set({ failedSignIns: 3 }).where(eq(users.emailKey, "jan.jansen@example.nl"));
    expect(await lockUser(h.db, "Jan.Jansen@example.nl")).toEqual({ ok: true });
    const locked = await findUser(h.db, "jan.jansen@example.nl");
    expect(locked).toMatchObject({ locked: true, lockedUntil: null });
    // A lock without an end never expires by itself.
    expect((await findUser(h.db, "jan.jansen@example.nl", new Date(Date.now() + 365 * 86_400_000)))!.locked).toBe(true);
    expect(await unlockUser(h.db, "jan.jansen@example.nl")).toEqual({ ok: true });
    expect(await findUser(h.db, "jan.jansen@example.nl")).toMatchObject({ locked: false, lockedUntil: null, failedSignIns: 0 });
  });

  it("shows a timed lock until it ends, and not after", async () => {
    const until = new Date(Date.now() + 30 * 60_000);
    await h.db
      .update(users)
      .set({ lockedAt: new Date(), lockedUntil: until, failedSignIns: 5 })
      .where(eq(users.emailKey, "kees.bakker@example.nl"));
    expect(await findUser(h.db, "kees.bakker@example.nl")).toMatchObject({ locked: true, lockedUntil: until, failedSignIns: 5 });
    expect(await findUser(h.db, "kees.bakker@example.nl", new Date(until.getTime() + 1))).toMatchObject({
      locked: false,
      lockedUntil: null,
      failedSignIns: 0,
    });
    await unlockUser(h.db, "kees.bakker@example.nl");
  });

  it("refuses changes to an unknown user", async () => {
    for (const change of [
      lockUser(h.db, "x@example.nl"),
      unlockUser(h.db, "x@example.nl"),
      setPhone(h.db, "x@example.nl", null),
      grantAdmin(h.db, "x@example.nl"),
      setPassword(h.db, "x@example.nl", "Geheim2026"),
    ]) {
      expect(await change).toEqual({ ok: false, message: "there is no user x@example.nl" });
    }
  });

  it("sets a mobile number from Dutch formats, refuses landlines and garbage, and removes it", async () => {
    expect(await setPhone(h.db, "kees.bakker@example.nl", "0031 6 8765 4321")).toEqual({ ok: true });
    expect((await findUser(h.db, "kees.bakker@example.nl"))!.mobile).toBe("+31687654321");
    expect(await setPhone(h.db, "kees.bakker@example.nl", "020-1234567")).toEqual({
      ok: false,
      message: '"020-1234567" is not a mobile number',
    });
    expect(await setPhone(h.db, "kees.bakker@example.nl", "06-1")).toEqual({ ok: false, message: '"06-1" is not a valid phone number' });
    expect((await findUser(h.db, "kees.bakker@example.nl"))!.mobile).toBe("+31687654321");
    expect(await setPhone(h.db, "kees.bakker@example.nl", null)).toEqual({ ok: true });
    expect((await findUser(h.db, "kees.bakker@example.nl"))!.mobile).toBeNull();
  });

  it("registers only mobile numbers in the allowed countries (SMS_ALLOWED_COUNTRIES, default NL)", async () => {
    const belgian = "+32 470 12 34 56";
    expect(await setPhone(h.db, "kees.bakker@example.nl", belgian)).toEqual({
      ok: false,
      message: '"+32 470 12 34 56" is a number in BE; codes go only to NL (SMS_ALLOWED_COUNTRIES)',
    });
    expect((await findUser(h.db, "kees.bakker@example.nl"))!.mobile).toBeNull();
    process.env.SMS_ALLOWED_COUNTRIES = "NL,BE";
    try {
      expect(await setPhone(h.db, "kees.bakker@example.nl", belgian)).toEqual({ ok: true });
      expect((await findUser(h.db, "kees.bakker@example.nl"))!.mobile).toBe("+32470123456");
    } finally {
      delete process.env.SMS_ALLOWED_COUNTRIES;
    }
  });

  it("grants and revokes the administrator role", async () => {
    expect(await grantAdmin(h.db, "jan.jansen@example.nl")).toEqual({ ok: true });
    expect((await findUser(h.db, "jan.jansen@example.nl"))!.isAdmin).toBe(true);
    expect(await grantAdmin(h.db, "jan.jansen@example.nl", false)).toEqual({ ok: true });
    expect((await findUser(h.db, "jan.jansen@example.nl"))!.isAdmin).toBe(false);
  });

  it("refuses a password that breaks the rules or was used before, and changes nothing", async () => {
    const [before] = await h.db.select().from(users).where(eq(users.emailKey, "jan.jansen@example.nl"));
    await openUserSession(h.db, before!.id);
    expect(await setPassword(h.db, "jan.jansen@example.nl", "kort1")).toEqual({
      ok: false,
      message: "the password is shorter than 8 characters, has no upper-case letter",
    });
    expect(await setPassword(h.db, "jan.jansen@example.nl", "JANSEN2026x")).toEqual({
      ok: false,
      message: "the password contains the last name",
    });
    expect(await setPassword(h.db, "jan.jansen@example.nl", "Zeilboot2026!")).toEqual({
      ok: false,
      message: "the password was used before (the last 24 passwords cannot be reused)",
    });
    // The same rules as the portal's password step: guessable passwords and near-misses of earlier ones are named.
    expect(await setPassword(h.db, "jan.jansen@example.nl", "Welkom01!")).toEqual({
      ok: false,
      message: "the password is too predictable: it looks like a commonly used password",
    });
    expect(await setPassword(h.db, "jan.jansen@example.nl", "Flynth2026!")).toEqual({
      ok: false,
      message: "the password is too predictable: it contains the organisation's name (ORG_NAME, ORG_DOMAIN, PASSWORD_BANNED_WORDS)",
    });
    expect(await setPassword(h.db, "jan.jansen@example.nl", "Zeilboot2027!")).toEqual({
      ok: false,
      message: "the password differs from an earlier password only in digits, symbols or case (the last 24 count)",
    });
    const [after] = await h.db.select().from(users).where(eq(users.emailKey, "jan.jansen@example.nl"));
    expect(after!.passwordHash).toBe(before!.passwordHash);
    expect(await liveSessions(h.db, after!.id)).toBe(1);
  });

  it("sets a good password: history grows, the account unlocks, sessions end", async () => {
    await lockUser(h.db, "jan.jansen@example.nl");
    const [before] = await h.db.select().from(users).where(eq(users.emailKey, "jan.jansen@example.nl"));
    await openUserSession(h.db, before!.id);
    expect(await setPassword(h.db, "jan.jansen@example.nl", "Eikenblad2026?")).toEqual({ ok: true });
    const [after] = await h.db.select().from(users).where(eq(users.emailKey, "jan.jansen@example.nl"));
    expect(await verifyPassword(after!.passwordHash, "Eikenblad2026?")).toBe(true);
    expect(after).toMatchObject({ lockedAt: null, lockedUntil: null, failedSignIns: 0 });
    expect(await liveSessions(h.db, after!.id)).toBe(0);
    expect(after!.passwordChangedAt.getTime()).toBeGreaterThanOrEqual(before!.passwordChangedAt.getTime());
    expect(await h.db.select().from(passwordHistory).where(eq(passwordHistory.userId, after!.id))).toHaveLength(2);
  });

  it("audits every change without secrets", async () => {
    expect(await events("jan.jansen@example.nl")).toEqual([
      "user.created",
      "account.locked",
      "account.unlocked",
      "user.admin_granted",
      "user.admin_revoked",
      "account.locked",
      "password.set_by_operator",
    ]);
    const all = JSON.stringify(await h.db.select().from(auditEvents));
    expect(all).not.toMatch(/Zeilboot2026|Eikenblad2026|argon2|\+31612345678/);
  });
});
