// Operator-side account management: add, import, list, lock/unlock, phone and password changes, admin rights.
import "server-only";
import { randomBytes } from "node:crypto";
import { asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import type { Db, Tx } from "@/lib/db/client";
import { passwordHistory, users } from "@/lib/db/schema";
import { hashPassword } from "@/lib/password/hash";
import { wasUsedBefore } from "@/lib/password/history";
import { checkPasswordRules, type PasswordRule } from "@/lib/password/policy";
import { parsePhone, userIdKey } from "./normalize";

export type UserInput = { email: string; firstName: string; lastName: string; phone?: string | null; password?: string | null; isAdmin?: boolean };

export type RowProblem = { line: number; field: string; message: string };

const emailSchema = z.email();

/** Checks one user's fields; returns the normalised values or the problems found. */
export function validateUserInput(input: UserInput): { ok: true; value: NormalizedUser } | { ok: false; problems: { field: string; message: string }[] } {
  const problems: { field: string; message: string }[] = [];
  const email = input.email.normalize("NFKC").trim();
  if (!emailSchema.safeParse(email).success) problems.push({ field: "email", message: `"${input.email}" is not an e-mail address` });
  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  if (!firstName) problems.push({ field: "first_name", message: "is empty" });
  if (!lastName) problems.push({ field: "last_name", message: "is empty" });
  let mobile: string | null = null;
  if (input.phone && input.phone.trim()) {
    const parsed = parsePhone(input.phone);
    if (!parsed.ok) problems.push({ field: "phone", message: `"${input.phone}" is not a valid phone number` });
    else if (!parsed.isMobile) problems.push({ field: "phone", message: `"${input.phone}" is not a mobile number` });
    else mobile = parsed.e164;
  }
  if (input.password) {
    const broken = checkPasswordRules(input.password, { lastName });
    if (broken.length) problems.push({ field: "password", message: `breaks the password rules: ${broken.map(describeRule).join(", ")}` });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { email, emailKey: userIdKey(email), firstName, lastName, mobile, password: input.password || null, isAdmin: Boolean(input.isAdmin) } };
}

export type NormalizedUser = { email: string; emailKey: string; firstName: string; lastName: string; mobile: string | null; password: string | null; isAdmin: boolean };

export function describeRule(rule: PasswordRule): string {
  const text: Record<PasswordRule, string> = {
    length: "at least 8 characters",
    maxLength: "at most 128 characters",
    uppercase: "an upper-case letter",
    digit: "a digit",
    lastName: "must not contain the last name",
    confirmation: "confirmation differs",
    history: "used before",
  };
  return text[rule];
}

/** Inserts or updates (by user ID, case-insensitively) one user; a new user without a password gets an unusable one. */
async function upsertUser(tx: Tx, u: NormalizedUser, actor: string): Promise<"added" | "updated"> {
  const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.emailKey, u.emailKey)).limit(1);
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  if (existing) {
    await tx
      .update(users)
      .set({
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        mobile: u.mobile,
        isAdmin: u.isAdmin,
        updatedAt: new Date(),
        ...(passwordHash ? { passwordHash, passwordChangedAt: new Date() } : {}),
      })
      .where(eq(users.id, existing.id));
    if (passwordHash) await tx.insert(passwordHistory).values({ userId: existing.id, passwordHash });
    await recordAudit(tx, { event: "user.updated", outcome: "success", userId: existing.id, reason: actor });
    return "updated";
  }
  const hash = passwordHash ?? (await hashPassword(randomBytes(32).toString("base64url")));
  const [row] = await tx
    .insert(users)
    .values({ email: u.email, emailKey: u.emailKey, firstName: u.firstName, lastName: u.lastName, mobile: u.mobile, passwordHash: hash, isAdmin: u.isAdmin })
    .returning({ id: users.id });
  if (passwordHash) await tx.insert(passwordHistory).values({ userId: row!.id, passwordHash });
  await recordAudit(tx, { event: "user.created", outcome: "success", userId: row!.id, reason: actor });
  return "added";
}

export async function addUser(db: Db, input: UserInput, actor = "cli") {
  const v = validateUserInput(input);
  if (!v.ok) return v;
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.emailKey, v.value.emailKey)).limit(1);
  if (existing) return { ok: false as const, problems: [{ field: "email", message: `${v.value.email} already exists (use import to update)` }] };
  await db.transaction((tx) => upsertUser(tx, v.value, actor));
  return { ok: true as const };
}

/** All rows are checked first; any bad row means nothing is imported. */
export async function importUsers(db: Db, rows: { line: number; input: UserInput }[], actor = "cli-import") {
  const problems: RowProblem[] = [];
  const valid: NormalizedUser[] = [];
  const seen = new Map<string, number>();
  for (const { line, input } of rows) {
    const v = validateUserInput(input);
    if (!v.ok) {
      for (const p of v.problems) problems.push({ line, ...p });
      continue;
    }
    const earlier = seen.get(v.value.emailKey);
    if (earlier) problems.push({ line, field: "email", message: `${v.value.email} is already on line ${earlier}` });
    seen.set(v.value.emailKey, line);
    valid.push(v.value);
  }
  if (problems.length) return { ok: false as const, problems };
  let added = 0;
  let updated = 0;
  await db.transaction(async (tx) => {
    for (const u of valid) {
      if ((await upsertUser(tx, u, actor)) === "added") added++;
      else updated++;
    }
  });
  return { ok: true as const, added, updated };
}

export type UserSummary = {
  email: string;
  firstName: string;
  lastName: string;
  mobile: string | null;
  isAdmin: boolean;
  locked: boolean;
  lockedUntil: Date | null;
  failedSignIns: number;
  passwordChangedAt: Date;
};

const summaryColumns = {
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  mobile: users.mobile,
  isAdmin: users.isAdmin,
  lockedAt: users.lockedAt,
  lockedUntil: users.lockedUntil,
  failedSignIns: users.failedSignIns,
  passwordChangedAt: users.passwordChangedAt,
};

function toSummary(r: { lockedAt: Date | null } & Omit<UserSummary, "locked">, now = new Date()): UserSummary {
  const { lockedAt, ...rest } = r;
  return { ...rest, locked: Boolean(lockedAt) && (r.lockedUntil === null || r.lockedUntil > now) };
}

export async function listUsers(db: Db): Promise<UserSummary[]> {
  const rows = await db.select(summaryColumns).from(users).orderBy(asc(users.emailKey));
  return rows.map((r) => toSummary(r));
}

export async function findUser(db: Db, email: string): Promise<UserSummary | null> {
  const [r] = await db.select(summaryColumns).from(users).where(eq(users.emailKey, userIdKey(email))).limit(1);
  return r ? toSummary(r) : null;
}

type Change = { ok: true } | { ok: false; message: string };

async function changeUser(db: Db, email: string, event: string, build: (tx: Tx, id: string) => Promise<Record<string, unknown> | string>): Promise<Change> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.emailKey, userIdKey(email))).for("update");
    if (!row) return { ok: false, message: `no user ${email}` };
    const set = await build(tx, row.id);
    if (typeof set === "string") return { ok: false, message: set };
    await tx.update(users).set({ ...set, updatedAt: new Date() }).where(eq(users.id, row.id));
    await recordAudit(tx, { event, outcome: "success", userId: row.id, reason: "cli" });
    return { ok: true };
  });
}

export function lockUser(db: Db, email: string) {
  return changeUser(db, email, "account.locked", async () => ({ lockedAt: new Date(), lockedUntil: null }));
}

export function unlockUser(db: Db, email: string) {
  return changeUser(db, email, "account.unlocked", async () => ({ lockedAt: null, lockedUntil: null, failedSignIns: 0 }));
}

export function setPhone(db: Db, email: string, phone: string | null) {
  return changeUser(db, email, "user.phone_changed", async () => {
    if (phone === null || phone === "") return { mobile: null };
    const parsed = parsePhone(phone);
    if (!parsed.ok) return `"${phone}" is not a valid phone number`;
    if (!parsed.isMobile) return `"${phone}" is not a mobile number`;
    return { mobile: parsed.e164 };
  });
}

export function grantAdmin(db: Db, email: string, isAdmin = true) {
  return changeUser(db, email, isAdmin ? "user.admin_granted" : "user.admin_revoked", async () => ({ isAdmin }));
}

/** Sets a password as an operator: policy rules apply (history too), sessions end, the account unlocks. */
export function setPassword(db: Db, email: string, password: string) {
  return changeUser(db, email, "password.set_by_operator", async (tx, id) => {
    const [u] = await tx.select({ lastName: users.lastName }).from(users).where(eq(users.id, id));
    const broken = checkPasswordRules(password, { lastName: u!.lastName });
    if (await wasUsedBefore(tx, id, password)) broken.push("history");
    if (broken.length) return `the password breaks the rules: ${broken.map(describeRule).join(", ")}`;
    const passwordHash = await hashPassword(password);
    await tx.insert(passwordHistory).values({ userId: id, passwordHash });
    return {
      passwordHash,
      passwordChangedAt: new Date(),
      lockedAt: null,
      lockedUntil: null,
      failedSignIns: 0,
      sessionVersion: sql`${users.sessionVersion} + 1`,
    };
  });
}

export async function countUsers(db: Db, emails?: string[]): Promise<number> {
  const q = db.select({ n: sql<number>`count(*)::int` }).from(users);
  const [r] = emails ? await q.where(inArray(users.emailKey, emails.map(userIdKey))) : await q;
  return r?.n ?? 0;
}
