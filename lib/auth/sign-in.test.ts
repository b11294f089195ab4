// Sign-in with lockout on both database drivers: the edges of the rules, unknown IDs that behave like known ones, the audit trail.
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents, phantomSignIns, users } from "@/lib/db/schema";
import { addUser, countUsers, lockUser, unlockUser } from "@/lib/users/service";
import { subjectHash } from "@/lib/security/subject";
import { drivers, freshDb } from "@/tests/db";
import type { LockPolicy } from "./lockout";
import { signIn, type SignInResult } from "./sign-in";

const PASSWORD = "Zeilboot2026!";
const WRONG = "Verkeerd2026?";
const policy: LockPolicy = { threshold: 5, durationMinutes: 30 };
const context = { ip: "192.0.2.10", userAgent: "vitest", locale: "nl", requestId: "vitest" };
const t0 = new Date("2026-03-02T09:00:00.000Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

describe.each(drivers())("sign-in with lockout on %s", (driver) => {
  let h: DbHandle;
  let n = 0;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A new account per test, so tests do not share counters. */
  async function newUser(isAdmin = false): Promise<string> {
    const email = `user${++n}.jansen@example.nl`;
    const result = await addUser(h.db, { email, firstName: "Jan", lastName: "Jansen", password: PASSWORD, isAdmin });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return email;
  }

  const attempt = (userId: string, password: string, now: Date, p: LockPolicy = policy) =>
    signIn(h.db, { userId, password, context, now, policy: p });
  const kinds = async (userId: string, password: string, times: number, now: Date, p: LockPolicy = policy) => {
    const out: SignInResult["kind"][] = [];
    for (let i = 0; i < times; i++) out.push((await attempt(userId, password, now, p)).kind);
    return out;
  };
  const account = async (email: string) => (await h.db.select().from(users).where(eq(users.emailKey, email)))[0]!;

  it("lets the right password in and says who it is", async () => {
    const email = await newUser(true);
    const result = await attempt(email, PASSWORD, t0);
    expect(result).toEqual({ kind: "success", userId: (await account(email)).id, isAdmin: true });
  });

  it("answers 'invalid' up to the 4th failure and locks at the 5th", async () => {
    const email = await newUser();
    expect(await kinds(email, WRONG, 4, t0)).toEqual(["invalid", "invalid", "invalid", "invalid"]);
    expect(await account(email)).toMatchObject({ failedSignIns: 4, lockedAt: null });
    expect((await attempt(email, WRONG, t0)).kind).toBe("locked");
    expect(await account(email)).toMatchObject({ failedSignIns: 5, lockedAt: t0, lockedUntil: minutes(30) });
  });

  it("refuses the right password while locked, and attempts while locked never extend the lock", async () => {
    const email = await newUser();
    await kinds(email, WRONG, 5, t0);
    const locked = await account(email);
    expect((await attempt(email, PASSWORD, minutes(1))).kind).toBe("locked");
    expect(await kinds(email, WRONG, 3, minutes(29))).toEqual(["locked", "locked", "locked"]);
    const after = await account(email);
    // Counted (so the answers follow the count), but the lock is the one the fifth failure set.
    expect(after).toMatchObject({ failedSignIns: 9, lockedAt: locked.lockedAt, lockedUntil: locked.lockedUntil });
    // One millisecond before the end it still holds.
    expect((await attempt(email, PASSWORD, new Date(minutes(30).getTime() - 1))).kind).toBe("locked");
  });

  it("unlocks by itself when the lock ends, and then counts from zero again", async () => {
    const email = await newUser();
    await kinds(email, WRONG, 5, t0);
    expect(await kinds(email, WRONG, 4, minutes(30))).toEqual(["invalid", "invalid", "invalid", "invalid"]);
    expect(await account(email)).toMatchObject({ failedSignIns: 4, lockedAt: null, lockedUntil: null });
    expect((await attempt(email, WRONG, minutes(31))).kind).toBe("locked");
    expect(await account(email)).toMatchObject({ lockedAt: minutes(31), lockedUntil: minutes(61) });
    expect((await attempt(email, PASSWORD, minutes(61))).kind).toBe("success");
  });

  it("with duration 0 stays locked until an operator unlocks it", async () => {
    const email = await newUser();
    const forever: LockPolicy = { threshold: 5, durationMinutes: 0 };
    await kinds(email, WRONG, 5, t0, forever);
    expect(await account(email)).toMatchObject({ lockedAt: t0, lockedUntil: null });
    expect((await attempt(email, PASSWORD, minutes(60 * 24 * 365), forever)).kind).toBe("locked");
    await unlockUser(h.db, email);
    expect((await attempt(email, PASSWORD, minutes(60 * 24 * 365), forever)).kind).toBe("success");
  });

  it("follows the configured threshold", async () => {
    const email = await newUser();
    expect(await kinds(email, WRONG, 3, t0, { threshold: 3, durationMinutes: 30 })).toEqual(["invalid", "invalid", "locked"]);
  });

  it("resets the counter after a success", async () => {
    const email = await newUser();
    await kinds(email, WRONG, 4, t0);
    expect((await attempt(email, PASSWORD, t0)).kind).toBe("success");
    expect((await account(email)).failedSignIns).toBe(0);
    expect(await kinds(email, WRONG, 5, t0)).toEqual(["invalid", "invalid", "invalid", "invalid", "locked"]);
  });

  it("counts every spelling of a user ID on one account", async () => {
    const email = await newUser();
    const spellings = [
      email.toUpperCase(),
      ` ${email} `,
      email.replace("user", "User").replace("jansen", "Jansen"),
      email.replace("example", "EXAMPLE"),
    ];
    for (const s of spellings) expect((await attempt(s, WRONG, t0)).kind).toBe("invalid");
    expect((await attempt(email.replace(/^u/, "U"), WRONG, t0)).kind).toBe("locked");
    expect((await attempt(email.toUpperCase(), PASSWORD, t0)).kind).toBe("locked");
    expect((await account(email)).failedSignIns).toBe(6);
  });

  it("counts parallel attempts exactly once each", async () => {
    const email = await newUser();
    const results = await Promise.all(Array.from({ length: 8 }, () => attempt(email, WRONG, t0)));
    expect(results.filter((r) => r.kind === "invalid")).toHaveLength(4);
    expect(results.filter((r) => r.kind === "locked")).toHaveLength(4);
    expect((await account(email)).failedSignIns).toBe(8);
    expect(await account(email)).toMatchObject({ lockedAt: t0, lockedUntil: minutes(30) });
  });

  it("an account locked by an operator answers a stranger's wrong passwords like an unknown ID does, right password or wrong", async () => {
    const email = await newUser();
    await lockUser(h.db, email);
    const unknown = `niemand${Math.random().toString(36).slice(2)}@example.nl`;
    const sequence = [WRONG, PASSWORD, WRONG, WRONG, WRONG, PASSWORD];
    const locked: string[] = [];
    const stranger: string[] = [];
    for (const password of sequence) {
      locked.push((await attempt(email, password, minutes(1))).kind);
      stranger.push((await attempt(unknown, password, minutes(1))).kind);
    }
    // The right password tells nothing either (no guessing past the lock), and the lock never ends by itself.
    expect(locked).toEqual(["invalid", "invalid", "invalid", "invalid", "locked", "locked"]);
    expect(stranger).toEqual(locked);
    expect(await account(email)).toMatchObject({ lockedUntil: null });
    await unlockUser(h.db, email);
    expect((await attempt(email, PASSWORD, minutes(2))).kind).toBe("success");
  });

  it("gives an unknown user ID exactly the answers a known one gets, 'locked' included, and creates no account", async () => {
    const known = await newUser();
    const unknown = "nobody.here@example.nl";
    const script = async (id: string) => [
      ...(await kinds(id, WRONG, 4, t0)),
      ...(await kinds(id.toUpperCase(), WRONG, 1, t0)),
      // The known user's right password changes nothing while locked; the unknown one has no right password.
      ...(await kinds(id, PASSWORD, 1, minutes(10))),
      ...(await kinds(id, WRONG, 2, minutes(29))),
      ...(await kinds(id, WRONG, 5, minutes(30))),
    ];
    const usersBefore = await countUsers(h.db);
    const knownAnswers = await script(known);
    const unknownAnswers = await script(unknown);
    expect(knownAnswers).toEqual([
      "invalid",
      "invalid",
      "invalid",
      "invalid",
      "locked",
      "locked",
      "locked",
      "locked",
      "invalid",
      "invalid",
      "invalid",
      "invalid",
      "locked",
    ]);
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(await countUsers(h.db)).toBe(usersBefore);
    // One counter for every spelling of the unknown ID (the operator-lock test keeps its own).
    const phantoms = await h.db
      .select()
      .from(phantomSignIns)
      .where(eq(phantomSignIns.idHash, subjectHash(unknown)));
    expect(phantoms).toHaveLength(1);
    expect(phantoms[0]).toMatchObject({ failedSignIns: 5, lockedAt: minutes(30), lockedUntil: minutes(60) });
    expect(phantoms[0]!.idHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("audits every attempt (failed, locked, refused, expired, succeeded) without the password", async () => {
    const email = await newUser();
    await kinds(email, WRONG, 5, t0);
    await attempt(email, PASSWORD, minutes(5));
    await attempt(email, PASSWORD, minutes(30));
    const { id } = await account(email);
    const rows = await h.db.select().from(auditEvents).where(eq(auditEvents.userId, id)).orderBy(asc(auditEvents.id));
    expect(rows.map((r) => [r.event, r.outcome, r.reason])).toEqual([
      ["user.created", "success", "cli"],
      ...Array.from({ length: 5 }, () => ["sign_in.failed", "failure", "wrong-password"]),
      ["account.locked", "info", "too-many-failures"],
      ["sign_in.refused", "refused", "account-locked"],
      ["account.lock_expired", "info", "auto-unlock"],
      ["sign_in.succeeded", "success", null],
    ]);
    const signIns = rows.slice(1);
    expect(signIns.map((r) => r.details?.failures ?? null).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(signIns.every((r) => r.ip === context.ip && r.userAgent === context.userAgent && r.locale === "nl")).toBe(true);
    expect(signIns[5]!.details).toEqual({ lockedUntil: minutes(30).toISOString() });
    expect(signIns[6]!.at).toEqual(minutes(5));

    const everything = JSON.stringify(await h.db.select().from(auditEvents));
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(WRONG);
    expect(everything).not.toContain("argon2");
  });

  it("audits unknown user IDs by keyed hash only, never the typed ID", async () => {
    await attempt("Geheim.Persoon@example.nl", WRONG, t0);
    const rows = await h.db
      .select()
      .from(auditEvents)
      .where(and(isNull(auditEvents.userId), eq(auditEvents.event, "sign_in.failed")));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.subjectHash ?? ""))).toBe(true);
    expect(JSON.stringify(rows).toLowerCase()).not.toContain("geheim.persoon");
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the audit trail", async () => {
    const before = await h.db.select().from(auditEvents);
    expect(before.length).toBeGreaterThan(0);
    await expect(h.db.execute(sql`update audit_events set outcome = 'success'`)).rejects.toThrow();
    await expect(h.db.update(auditEvents).set({ reason: "x" }).where(eq(auditEvents.id, before[0]!.id))).rejects.toThrow();
    await expect(h.db.execute(sql`delete from audit_events`)).rejects.toThrow();
    await expect(h.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    // The retention job's switch allows DELETE only; UPDATE stays refused.
    await expect(
      h.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('toegang.audit_prune', 'on', true)`);
        await tx.execute(sql`update audit_events set outcome = 'success'`);
      }),
    ).rejects.toThrow();
    expect(await h.db.select().from(auditEvents).orderBy(asc(auditEvents.id))).toEqual(before.sort((a, b) => a.id - b.id));
  });

  it("names the append-only rule in the refusal", async () => {
    const error = await h.db.execute(sql`delete from audit_events`).then(
      () => null,
      (e: unknown) => e as Error & { cause?: Error },
    );
    expect(`${error?.message} ${error?.cause?.message ?? ""}`).toMatch(/audit_events is append-only \(DELETE refused\)/);
  });
});
