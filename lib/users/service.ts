// Operator-side account management: add, import, list, lock/unlock, phone and password changes, admin rights.
import "server-only";
import { randomBytes } from "node:crypto";
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { z } from "zod";
import { lockView } from "@/lib/auth/lockout";
import { endAllSessions } from "@/lib/auth/sessions";
import { recordAudit, type AuditEventName } from "@/lib/audit/record";
import { getConfig, readAllowedCountries } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { passwordHistory, users } from "@/lib/db/schema";
import { checkNewPassword, guessabilityRules, historyEntry } from "@/lib/password/check";
import { hashPassword, verifyPassword } from "@/lib/password/hash";
import { checkPasswordRules, type PasswordRule } from "@/lib/password/policy";
import { checkMobileNumber, userIdKey } from "./normalize";

/** The fields of a user as operators name them (the CSV columns). */
export type UserField = "email" | "first_name" | "last_name" | "mobile" | "password" | "admin";

/**
 * One user as an operator supplies it. For an existing user, `phone` and `isAdmin` left undefined stay as they are
 * (null or "" removes the number); an empty password never changes the password.
 */
export type UserInput = {
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null;
  password?: string | null;
  isAdmin?: boolean;
};

export type FieldProblem = { field: UserField; message: string };
/** A problem on one line of an import file; no field when the row as a whole is wrong. */
export type RowProblem = { line: number; field?: UserField; message: string };

export type NormalizedUser = {
  email: string;
  emailKey: string;
  firstName: string;
  lastName: string;
  /** E.164; null = no number; undefined = leave as is. */
  mobile: string | null | undefined;
  password: string | null;
  /** undefined = leave as is (false for a new user). */
  isAdmin: boolean | undefined;
};

const emailSchema = z.email();
const MAX_NAME_LENGTH = 100;

/** Checks one user's fields without the database; returns the normalised values or every problem found. */
export function validateUserInput(input: UserInput): { ok: true; value: NormalizedUser } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const email = input.email.normalize("NFKC").trim();
  if (!email) problems.push({ field: "email", message: "is empty" });
  else if (email.length > 254 || !emailSchema.safeParse(email).success)
    problems.push({ field: "email", message: `"${input.email}" is not an e-mail address` });
  const firstName = checkName(input.firstName, "first_name", problems);
  const lastName = checkName(input.lastName, "last_name", problems);
  let mobile: string | null | undefined = input.phone === undefined ? undefined : null;
  if (input.phone && input.phone.trim()) {
    const phone = checkMobile(input.phone);
    if (phone.ok) mobile = phone.e164;
    else problems.push({ field: "mobile", message: phone.message });
  }
  const password = input.password || null;
  if (password) {
    const broken = checkPasswordRules(password, { lastName });
    if (broken.length) problems.push({ field: "password", message: describeBrokenRules(broken) });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { email, emailKey: userIdKey(email), firstName, lastName, mobile, password, isAdmin: input.isAdmin } };
}

function checkName(raw: string, field: "first_name" | "last_name", problems: FieldProblem[]): string {
  const name = raw.normalize("NFC").trim();
  if (!name) problems.push({ field, message: "is empty" });
  else if (/\p{Cc}/u.test(name)) problems.push({ field, message: "contains a line break or control character" });
  else if (name.length > MAX_NAME_LENGTH) problems.push({ field, message: `is longer than ${MAX_NAME_LENGTH} characters` });
  return name;
}

/**
 * Codes only go to mobile numbers in the allowed countries (SMS_ALLOWED_COUNTRIES), so anything else is refused when
 * it is registered, not when it is used.
 */
function checkMobile(typed: string): { ok: true; e164: string } | { ok: false; message: string } {
  const allowed = readAllowedCountries();
  const checked = checkMobileNumber(typed, allowed);
  if (checked.ok) return checked;
  switch (checked.problem) {
    case "invalid":
      return { ok: false, message: `"${typed}" is not a valid phone number` };
    case "not-mobile":
      return { ok: false, message: `"${typed}" is not a mobile number` };
    case "country-not-allowed":
      return {
        ok: false,
        message: `"${typed}" is a number in ${checked.country ?? "an unknown country"}; codes go only to ${allowed.join(", ")} (SMS_ALLOWED_COUNTRIES)`,
      };
  }
}

function ruleText(rule: PasswordRule): string {
  // Only the history rules need the configuration; input checks must not read it (they run before the database opens).
  return rule === "history" || rule === "previous"
    ? RULE_TEXT[rule].replace("{depth}", String(getConfig().recovery.passwordHistory))
    : RULE_TEXT[rule];
}

const RULE_TEXT: Record<PasswordRule, string> = {
  length: "is shorter than 8 characters",
  maxLength: "is longer than 128 characters",
  uppercase: "has no upper-case letter",
  digit: "has no digit",
  lastName: "contains the last name",
  confirmation: "does not match its confirmation",
  common: "is too predictable: it looks like a commonly used password",
  organisation: "is too predictable: it contains the organisation's name (ORG_NAME, ORG_DOMAIN, PASSWORD_BANNED_WORDS)",
  personal: "is too predictable: it contains the user's name or user ID",
  seasonal: "is too predictable: a season or month with a year",
  weak: "is too easy to guess (strength under PASSWORD_MIN_SCORE); use a longer phrase or more words",
  previous: "differs from an earlier password only in digits, symbols or case (the last {depth} count)",
  history: "was used before (the last {depth} passwords cannot be reused)",
  directoryLength: "is shorter than the directory's minimum length",
  complexity: "does not meet the directory's complexity rule",
  minAge: "cannot be changed yet (the directory's minimum password age)",
  directoryPolicy: "was refused by the directory's password policy",
};

/** The rules that need the dictionaries (and, for an existing account, its history): each problem as operators read it. */
async function passwordProblems(db: Db, user: NormalizedUser, accountId: string | null): Promise<string | null> {
  if (!user.password) return null;
  const owner = { id: accountId, email: user.email, firstName: user.firstName, lastName: user.lastName };
  const broken = accountId ? await checkNewPassword(db, { password: user.password, owner }) : await guessabilityRules(user.password, owner);
  return broken.length ? describeBrokenRules(broken) : null;
}

/** One line naming every broken rule, for operators (the portal shows translated messages instead). */
export function describeBrokenRules(broken: PasswordRule[]): string {
  return broken.map(ruleText).join(", ");
}

/** What changes on an account when an operator sets its password: history, unlock, and every session ends. */
function passwordChange(passwordHash: string) {
  return {
    passwordHash,
    passwordChangedAt: new Date(),
    lockedAt: null,
    lockedUntil: null,
    failedSignIns: 0,
  };
}

/**
 * A validated user with its hashes computed: `passwordHash` is a password the operator set (null = keep the current one);
 * `placeholderHash` is the unusable random password a new user without one gets.
 */
export type PreparedUser = Omit<NormalizedUser, "password"> & {
  passwordHash: string | null;
  placeholderHash: string | null;
  /** The password behind passwordHash, only to key its skeleton for the history (never stored as such). */
  newPassword: string | null;
};

/**
 * The password checks that need the dictionaries or the database: guessable passwords are problems; a password equal to
 * the current one is "unchanged" (so a re-import does not churn history and sessions), and one from the user's history,
 * or a near-miss of one, is a problem.
 */
async function checkPasswordsAgainstAccounts(db: Db, rows: { line: number; user: NormalizedUser }[]) {
  const keys = rows.filter((r) => r.user.password).map((r) => r.user.emailKey);
  const existing = keys.length
    ? await db
        .select({ id: users.id, emailKey: users.emailKey, passwordHash: users.passwordHash })
        .from(users)
        .where(inArray(users.emailKey, keys))
    : [];
  const byKey = new Map(existing.map((e) => [e.emailKey, e]));
  const problems: RowProblem[] = [];
  const unchanged = new Set<string>();
  await mapWithLimit(rows, 4, async ({ line, user }) => {
    if (!user.password) return;
    const current = byKey.get(user.emailKey);
    const isCurrent = current ? await verifyPassword(current.passwordHash, user.password) : false;
    if (isCurrent) unchanged.add(user.emailKey);
    // The current password is in the history by definition: an unchanged one is judged without it.
    const problem = await passwordProblems(db, user, isCurrent ? null : (current?.id ?? null));
    if (problem) problems.push({ line, field: "password", message: problem });
  });
  return { problems, unchanged };
}

/**
 * Hashes outside any transaction (in parallel), so the rows are written quickly once everything has been checked.
 * Without a database every user without a password is taken to be new (and gets an unusable hash).
 */
async function hashPasswords(db: Db | null, rows: NormalizedUser[], unchanged: Set<string>): Promise<PreparedUser[]> {
  const keys = rows.filter((r) => !r.password).map((r) => r.emailKey);
  const existing = keys.length && db ? await db.select({ emailKey: users.emailKey }).from(users).where(inArray(users.emailKey, keys)) : [];
  const known = new Set(existing.map((e) => e.emailKey));
  return mapWithLimit(rows, 4, async ({ password, ...rest }) => ({
    ...rest,
    passwordHash: password && !unchanged.has(rest.emailKey) ? await hashPassword(password) : null,
    newPassword: password && !unchanged.has(rest.emailKey) ? password : null,
    placeholderHash: !password && !known.has(rest.emailKey) ? await unusablePasswordHash() : null,
  }));
}

/** A real Argon2id hash of a random secret nobody knows, so signing in to such an account takes the usual time and fails. */
function unusablePasswordHash(): Promise<string> {
  return hashPassword(randomBytes(32).toString("base64url"));
}

/** Argon2 runs on libuv's small thread pool; a bounded number in flight keeps a big import from queueing thousands. */
async function mapWithLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Inserts or updates (by user ID, case-insensitively) one user; a new user without a password gets an unusable one. */
async function writeUser(tx: Tx, u: PreparedUser, actor: string): Promise<"added" | "updated"> {
  const [existing] = await tx.select().from(users).where(eq(users.emailKey, u.emailKey)).for("update");
  if (existing) {
    const changes: PgUpdateSetSource<typeof users> = {};
    if (u.email !== existing.email) changes.email = u.email;
    if (u.firstName !== existing.firstName) changes.firstName = u.firstName;
    if (u.lastName !== existing.lastName) changes.lastName = u.lastName;
    if (u.mobile !== undefined && u.mobile !== existing.mobile) changes.mobile = u.mobile;
    if (u.isAdmin !== undefined && u.isAdmin !== existing.isAdmin) changes.isAdmin = u.isAdmin;
    const changed = Object.keys(changes);
    if (u.passwordHash) changed.push("password");
    if (changed.length === 0) return "updated";
    await tx
      .update(users)
      .set({
        ...changes,
        // A number the user did not confirm themselves: the Werkplek asks them to (lib/recovery-details/).
        ...(changes.mobile !== undefined ? { mobileConfirmedAt: null } : {}),
        ...(u.passwordHash ? passwordChange(u.passwordHash) : {}),
        updatedAt: new Date(),
      })
      .where(eq(users.id, existing.id));
    if (u.passwordHash) {
      await tx.insert(passwordHistory).values(historyEntry(existing.id, u.newPassword ?? "", u.passwordHash));
      await endAllSessions(tx, existing.id);
    }
    await recordAudit(tx, {
      event: "user.updated",
      outcome: "success",
      userId: existing.id,
      reason: actor,
      details: { changed: changed.join(",") },
    });
    return "updated";
  }
  const passwordHash = u.passwordHash ?? u.placeholderHash ?? (await unusablePasswordHash());
  const [row] = await tx
    .insert(users)
    .values({
      email: u.email,
      emailKey: u.emailKey,
      firstName: u.firstName,
      lastName: u.lastName,
      mobile: u.mobile ?? null,
      passwordHash,
      isAdmin: u.isAdmin ?? false,
    })
    .returning({ id: users.id });
  if (u.passwordHash) await tx.insert(passwordHistory).values(historyEntry(row!.id, u.newPassword ?? "", u.passwordHash));
  await recordAudit(tx, {
    event: "user.created",
    outcome: "success",
    userId: row!.id,
    reason: actor,
    details: { password: Boolean(u.passwordHash) },
  });
  return "added";
}

export type AddResult = { ok: true } | { ok: false; problems: FieldProblem[] };

/** Adds one new user; an existing user ID (in any case) is a problem, not an update. */
export async function addUser(db: Db, input: UserInput, actor = "cli"): Promise<AddResult> {
  const v = validateUserInput(input);
  if (!v.ok) return v;
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.emailKey, v.value.emailKey)).limit(1);
  if (existing) return { ok: false, problems: [{ field: "email", message: `${v.value.email} already exists (use import to update it)` }] };
  const problem = await passwordProblems(db, v.value, null);
  if (problem) return { ok: false, problems: [{ field: "password", message: problem }] };
  const [prepared] = await hashPasswords(db, [v.value], new Set());
  await db.transaction((tx) => writeUser(tx, prepared!, actor));
  return { ok: true };
}

/** Users whose passwords the portal itself chose, checked and hashed by prepareChosenUsers, for addChosenUsers. */
export type ChosenUsers = { ok: true; users: PreparedUser[] } | { ok: false; problems: FieldProblem[] };

/**
 * Checks users whose passwords the portal itself chose (the demo users, lib/users/demo.ts) and hashes their passwords side
 * by side, without the database: the start does this while the database opens. The fields are checked as for any user,
 * the password rules are not (a test holds the demo passwords to the default rules, so the first start need not load
 * the guessability dictionaries for them).
 */
export async function prepareChosenUsers(inputs: UserInput[]): Promise<ChosenUsers> {
  const valid: NormalizedUser[] = [];
  for (const input of inputs) {
    const v = validateUserInput(input);
    if (!v.ok) return v;
    valid.push(v.value);
  }
  return { ok: true, users: await hashPasswords(null, valid, new Set()) };
}

/** Writes prepared chosen users in one transaction, each with its audit event. */
export async function addChosenUsers(db: Db, chosen: PreparedUser[], actor: string): Promise<void> {
  await writeUsers(db, chosen, actor);
}

/** Checked users hashed side by side and written in one transaction, each with its audit event; how many were new. */
async function saveUsers(
  db: Db,
  valid: NormalizedUser[],
  unchanged: Set<string>,
  actor: string,
): Promise<{ added: number; updated: number }> {
  return writeUsers(db, await hashPasswords(db, valid, unchanged), actor);
}

async function writeUsers(db: Db, prepared: PreparedUser[], actor: string): Promise<{ added: number; updated: number }> {
  let added = 0;
  let updated = 0;
  await db.transaction(async (tx) => {
    for (const u of prepared) {
      if ((await writeUser(tx, u, actor)) === "added") added++;
      else updated++;
    }
  });
  return { added, updated };
}

export type ImportResult = { ok: true; added: number; updated: number } | { ok: false; problems: RowProblem[] };

/**
 * The checks that need no database: every row's fields, and the same user twice in one file. `fileProblems` are rows
 * the caller could not read; they are reported along with the rest.
 */
export function checkImportRows(
  rows: { line: number; input: UserInput }[],
  fileProblems: RowProblem[] = [],
): { problems: RowProblem[]; valid: { line: number; user: NormalizedUser }[] } {
  const problems: RowProblem[] = [...fileProblems];
  const valid: { line: number; user: NormalizedUser }[] = [];
  const seen = new Map<string, number>();
  for (const { line, input } of rows) {
    const v = validateUserInput(input);
    if (!v.ok) {
      for (const p of v.problems) problems.push({ line, ...p });
      continue;
    }
    const earlier = seen.get(v.value.emailKey);
    if (earlier !== undefined) problems.push({ line, field: "email", message: `${v.value.email} is already on line ${earlier}` });
    else seen.set(v.value.emailKey, line);
    valid.push({ line, user: v.value });
  }
  return { problems: problems.sort((a, b) => a.line - b.line), valid };
}

/**
 * Every row is checked first, and every problem is reported; any problem (including `fileProblems`) means nothing is
 * imported. Existing users (matched case-insensitively) are updated, never duplicated.
 */
export async function importUsers(
  db: Db,
  rows: { line: number; input: UserInput }[],
  fileProblems: RowProblem[] = [],
  actor = "cli-import",
): Promise<ImportResult> {
  const { problems, valid } = checkImportRows(rows, fileProblems);
  const checked = await checkPasswordsAgainstAccounts(db, valid);
  problems.push(...checked.problems);
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  const { added, updated } = await saveUsers(
    db,
    valid.map((v) => v.user),
    checked.unchanged,
    actor,
  );
  return { ok: true, added, updated };
}

/** What operators see of an account: never the password hash. */
export type UserSummary = {
  email: string;
  firstName: string;
  lastName: string;
  mobile: string | null;
  isAdmin: boolean;
  locked: boolean;
  /** While locked: when the lock ends by itself, or null for "until unlocked". */
  lockedUntil: Date | null;
  failedSignIns: number;
  passwordChangedAt: Date;
  createdAt: Date;
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
  createdAt: users.createdAt,
};

function toSummary(r: { lockedAt: Date | null } & Omit<UserSummary, "locked">, now: Date): UserSummary {
  const { lockedAt: _at, ...rest } = r;
  // An expired lock is not a lock; its stale counter is reset at the next sign-in.
  return { ...rest, ...lockView(r, now) };
}

export async function listUsers(db: Db, now = new Date()): Promise<UserSummary[]> {
  const rows = await db.select(summaryColumns).from(users).orderBy(asc(users.emailKey));
  return rows.map((r) => toSummary(r, now));
}

export async function findUser(db: Db, email: string, now = new Date()): Promise<UserSummary | null> {
  const [r] = await db
    .select(summaryColumns)
    .from(users)
    .where(eq(users.emailKey, userIdKey(email)))
    .limit(1);
  return r ? toSummary(r, now) : null;
}

export type Change = { ok: true } | { ok: false; message: string };

/** Changes one account in a transaction with its audit event; `build` returns the columns to set or a problem. */
async function changeUser(
  db: Db,
  email: string,
  event: AuditEventName,
  build: (tx: Tx, row: typeof users.$inferSelect) => Promise<PgUpdateSetSource<typeof users> | string>,
  actor = "cli",
): Promise<Change> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(users)
      .where(eq(users.emailKey, userIdKey(email)))
      .for("update");
    if (!row) return { ok: false, message: `there is no user ${email.trim()}` };
    const set = await build(tx, row);
    if (typeof set === "string") return { ok: false, message: set };
    await tx
      .update(users)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(users.id, row.id));
    await recordAudit(tx, { event, outcome: "success", userId: row.id, reason: actor });
    return { ok: true };
  });
}

/** Locks until an operator (or a verified self-service unlock) unlocks it. */
export function lockUser(db: Db, email: string, actor = "cli") {
  return changeUser(db, email, "account.locked", async () => ({ lockedAt: new Date(), lockedUntil: null }), actor);
}

export function unlockUser(db: Db, email: string, actor = "cli") {
  return changeUser(db, email, "account.unlocked", async () => ({ lockedAt: null, lockedUntil: null, failedSignIns: 0 }), actor);
}

/** Registers a mobile number (any format libphonenumber understands, Dutch by default), or removes it with null. */
export function setPhone(db: Db, email: string, phone: string | null, actor = "cli") {
  return changeUser(
    db,
    email,
    "user.phone_changed",
    async () => {
      // A number the user did not confirm themselves: "Mijn herstelgegevens" asks them to (lib/recovery-details/).
      if (phone === null || phone.trim() === "") return { mobile: null, mobileConfirmedAt: null };
      const checked = checkMobile(phone);
      return checked.ok ? { mobile: checked.e164, mobileConfirmedAt: null } : checked.message;
    },
    actor,
  );
}

export function grantAdmin(db: Db, email: string, isAdmin = true, actor = "cli") {
  return changeUser(db, email, isAdmin ? "user.admin_granted" : "user.admin_revoked", async () => ({ isAdmin }), actor);
}

/** Sets a password as an operator: policy rules apply (history too), sessions end, the account unlocks. */
export function setPassword(db: Db, email: string, password: string, actor = "cli") {
  return changeUser(
    db,
    email,
    "password.set_by_operator",
    async (tx, row) => {
      const owner = { id: row.id, email: row.email, firstName: row.firstName, lastName: row.lastName };
      const broken = await checkNewPassword(tx, { password, owner });
      if (broken.length) return `the password ${describeBrokenRules(broken)}`;
      const passwordHash = await hashPassword(password);
      await tx.insert(passwordHistory).values(historyEntry(row.id, password, passwordHash));
      await endAllSessions(tx, row.id);
      return passwordChange(passwordHash);
    },
    actor,
  );
}

export async function countUsers(db: Db, emails?: string[]): Promise<number> {
  const q = db.select({ n: sql<number>`count(*)::int` }).from(users);
  const [r] = emails ? await q.where(inArray(users.emailKey, emails.map(userIdKey))) : await q;
  return r?.n ?? 0;
}
