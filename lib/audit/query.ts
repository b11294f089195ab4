// Reading the audit trail for administrators: filtered pages newest first (keyset paging), totals and events per day
// for the period, one flow's timeline, and the batches the CSV export streams. Every query is one index range read.
import "server-only";
import { and, asc, desc, eq, gte, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";
import { getAccountStore } from "@/lib/accounts";
import { subjectHash as typedIdHash } from "@/lib/security/subject";
import { encodeCursor, type Cursor, type PageRequest } from "./query-cursor";
import { AUDIT_ZONE, type AuditFilters } from "./query-filters";

export const AUDIT_PAGE_SIZE = 50;
/** A flow has a few dozen events; the cap only keeps a hostile flow id from making the page unbounded. */
const TIMELINE_LIMIT = 500;

/** The filters with the typed user resolved: an account's id and/or the keyed hash an unknown typed ID is logged under. */
export type ResolvedFilters = Omit<AuditFilters, "user"> & { user: { userId: string | null; subjectHash: string } | null };

export type AuditAccount = { kind: "user"; id: string; email: string | null } | { kind: "unknown"; hash: string };

/** One audit row as the page shows it; details are what recordAudit was given (never secrets). */
export type AuditEntry = {
  id: number;
  at: Date;
  /** This row's position, for paging links. */
  cursor: string;
  event: string;
  outcome: string;
  reason: string | null;
  account: AuditAccount | null;
  flowId: string | null;
  ip: string | null;
  userAgent: string | null;
  locale: string | null;
  details: Record<string, string | number | boolean | null> | null;
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subjectHash = /^[0-9a-f]{64}$/;

/**
 * The user filter accepts what an administrator has at hand: the user ID (e-mail address) as typed, an account's id, or
 * the hash shown for an unknown ID. Typed IDs also match their keyed hash, which is how steps before an account is
 * known (CAPTCHA failures, unknown IDs) are logged.
 */
export async function resolveFilters(db: Db, filters: AuditFilters): Promise<ResolvedFilters> {
  const typed = filters.user;
  if (!typed) return { ...filters, user: null };
  if (subjectHash.test(typed)) return { ...filters, user: { userId: null, subjectHash: typed } };
  const hash = typedIdHash(typed);
  if (uuid.test(typed)) return { ...filters, user: { userId: typed.toLowerCase(), subjectHash: hash } };
  const account = await getAccountStore(db).find(typed);
  return { ...filters, user: { userId: account?.id ?? null, subjectHash: hash } };
}

/** The filters as audit details for admin.audit_viewed / admin.audit_exported: the user as id or hash, never typed text. */
export function filtersForAudit(f: ResolvedFilters): Record<string, string | null> {
  return {
    from: f.from.toISOString(),
    to: f.to?.toISOString() ?? null,
    event: f.event ? (f.event.kind === "exact" ? f.event.name : `${f.event.prefix}*`) : null,
    outcome: f.outcome,
    userId: f.user?.userId ?? null,
    userHash: f.user && !f.user.userId ? f.user.subjectHash : null,
    ip: f.ip,
    flow: f.flow,
  };
}

/** The first string after every string that starts with prefix, in byte order (text_pattern_ops compares bytes). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Every filter but the user's, which is a branch of its own (see userBranches). */
function where(f: ResolvedFilters, extra: (SQL | undefined)[] = []): SQL {
  const e = auditEvents;
  const conditions: (SQL | undefined)[] = [gte(e.at, f.from), f.to ? lt(e.at, f.to) : undefined];
  if (f.event?.kind === "exact") conditions.push(eq(e.event, f.event.name));
  // A range in byte order instead of LIKE: it uses audit_events_event_idx (text_pattern_ops) even in a generic plan.
  if (f.event?.kind === "prefix") conditions.push(sql`${e.event} ~>=~ ${f.event.prefix}`, sql`${e.event} ~<~ ${prefixEnd(f.event.prefix)}`);
  if (f.outcome) conditions.push(eq(e.outcome, f.outcome));
  if (f.ip) conditions.push(eq(e.ip, f.ip));
  if (f.flow) conditions.push(eq(e.flowId, f.flow));
  return and(...conditions, ...extra)!;
}

/**
 * A user's rows are those of the account and those logged under its typed ID's keyed hash (CAPTCHA failures, IDs
 * without an account). "user_id = … OR subject_hash = …" cannot be read in order from one index, so each side is a
 * branch of its own, read newest first from its index, and the branches are merged by position.
 */
function userBranches(f: ResolvedFilters): (SQL | undefined)[] {
  const e = auditEvents;
  if (!f.user) return [undefined];
  if (!f.user.userId) return [eq(e.subjectHash, f.user.subjectHash)];
  return [eq(e.userId, f.user.userId), and(eq(e.subjectHash, f.user.subjectHash), or(isNull(e.userId), ne(e.userId, f.user.userId)))];
}

/** Both sides of the user filter in one condition, for counting (order does not matter there). */
function whereAll(f: ResolvedFilters): SQL {
  return where(f, [or(...userBranches(f))]);
}

const keyset = (direction: "before" | "after", c: Cursor) =>
  direction === "before"
    ? sql`(${auditEvents.at}, ${auditEvents.id}) < (${c.at}::timestamptz, ${c.id}::bigint)`
    : sql`(${auditEvents.at}, ${auditEvents.id}) > (${c.at}::timestamptz, ${c.id}::bigint)`;

const entryColumns = {
  id: auditEvents.id,
  at: auditEvents.at,
  // The full microseconds: a JavaScript Date would cut them to milliseconds and the cursor would skip or repeat rows.
  atKey: sql<string>`to_char(${auditEvents.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  event: auditEvents.event,
  outcome: auditEvents.outcome,
  reason: auditEvents.reason,
  userId: auditEvents.userId,
  email: users.email,
  subjectHash: auditEvents.subjectHash,
  flowId: auditEvents.flowId,
  ip: auditEvents.ip,
  userAgent: auditEvents.userAgent,
  locale: auditEvents.locale,
  details: auditEvents.details,
};

type EntryRow = Awaited<ReturnType<typeof entriesQueries>[number]>[number];

function toEntry(r: EntryRow): AuditEntry {
  const account: AuditAccount | null = r.userId
    ? { kind: "user", id: r.userId, email: r.email }
    : r.subjectHash
      ? { kind: "unknown", hash: r.subjectHash }
      : null;
  return {
    id: r.id,
    at: r.at,
    cursor: encodeCursor({ at: r.atKey, id: r.id }),
    event: r.event,
    outcome: r.outcome,
    reason: r.reason,
    account,
    flowId: r.flowId,
    ip: r.ip,
    userAgent: r.userAgent,
    locale: r.locale,
    details: r.details,
  };
}

const selectEntries = (db: Db) => db.select(entryColumns).from(auditEvents).leftJoin(users, eq(users.id, auditEvents.userId));

/**
 * The queries behind a page or an export batch, not yet run (tests EXPLAIN them): per user branch, the filtered rows
 * older than the cursor newest first, or newer than it oldest first.
 */
export function entriesQueries(db: Db, f: ResolvedFilters, page: PageRequest, limit: number) {
  const order = page?.direction === "after" ? asc : desc;
  return userBranches(f).map((branch) =>
    selectEntries(db)
      .where(where(f, [branch, page ? keyset(page.direction, page.cursor) : undefined]))
      .orderBy(order(auditEvents.at), order(auditEvents.id))
      .limit(limit),
  );
}

/** Runs the branches and merges them in the same order (atKey is fixed-width UTC, so text order is time order). */
async function readEntries(db: Db, f: ResolvedFilters, page: PageRequest, limit: number): Promise<EntryRow[]> {
  const branches = await Promise.all(entriesQueries(db, f, page, limit));
  if (branches.length === 1) return branches[0]!;
  const sign = page?.direction === "after" ? 1 : -1;
  const byPosition = (a: EntryRow, b: EntryRow) => sign * (a.atKey < b.atKey ? -1 : a.atKey > b.atKey ? 1 : a.id - b.id);
  return branches.flat().sort(byPosition).slice(0, limit);
}

export type AuditPage = {
  entries: AuditEntry[];
  /** Cursor for the next newer page (?after=), or null on the newest page. */
  newer: string | null;
  /** Cursor for the next older page (?before=), or null when nothing older matches. */
  older: string | null;
};

/** One page of the filtered trail, newest first; reading one row more than shown tells whether there is another page. */
export async function auditPage(db: Db, f: ResolvedFilters, page: PageRequest, size = AUDIT_PAGE_SIZE): Promise<AuditPage> {
  const rows = (await readEntries(db, f, page, size + 1)).map(toEntry);
  if (page?.direction === "after") {
    // Fewer than a page of newer rows: that is the newest page, shown in full.
    if (rows.length <= size) return auditPage(db, f, null, size);
    const entries = rows.slice(0, size).reverse();
    return { entries, newer: entries[0]!.cursor, older: entries[entries.length - 1]!.cursor };
  }
  const entries = rows.slice(0, size);
  return {
    entries,
    newer: page && entries.length ? entries[0]!.cursor : null,
    older: rows.length > size ? entries[entries.length - 1]!.cursor : null,
  };
}

/** The next batch of the filtered trail older than a position (from the newest when null): what the CSV export streams. */
export async function auditBatch(
  db: Db,
  f: ResolvedFilters,
  after: Cursor | null,
  size: number,
): Promise<{ entries: AuditEntry[]; last: Cursor | null }> {
  const rows = await readEntries(db, f, after ? { direction: "before", cursor: after } : null, size);
  const last = rows[rows.length - 1];
  return { entries: rows.map(toEntry), last: last ? { at: last.atKey, id: last.id } : null };
}

/** Every step of one recovery attempt (or any flow id), oldest first. */
export async function flowTimeline(db: Db, flowId: string): Promise<AuditEntry[]> {
  const rows = await selectEntries(db)
    .where(eq(auditEvents.flowId, flowId))
    .orderBy(asc(auditEvents.at), asc(auditEvents.id))
    .limit(TIMELINE_LIMIT);
  return rows.map(toEntry);
}

// ---------------------------------------------------------------------------------------------------------------
// Totals for the period and events per day.

const e = auditEvents;
/** What the totals count, by the event names the portal writes (grep recordAudit / audit( in lib/). */
const totalsSql = {
  resets: sql`${e.event} = 'password.reset' and ${e.outcome} = 'success'`,
  unlocks: sql`${e.event} = 'account.unlocked'`,
  // Wrong codes and wrong numbers in the wizard, and wrong codes at the admin sign-in's second step.
  failedVerifications: sql`${e.event} = 'recovery.code_failed' or (${e.event} = 'recovery.number_checked' and ${e.outcome} = 'failure')
    or (${e.event} = 'admin.sign_in.failed' and ${e.reason} in ('wrong-code', 'expired-code', 'too-many-attempts'))`,
  lockouts: sql`${e.event} = 'account.locked'`,
  rateLimits: sql`${e.event} like '%.rate\\_limited' or ${e.event} = 'sms.breaker_tripped'
    or (${e.event} = 'admin.sign_in.failed' and ${e.reason} in ('sign-in-per-ip', 'code-failures-per-account', 'admin-code-failures-per-account'))`,
  // Messages carry "<purpose>:<channel>" as their reason; the admin sign-in sends its code by SMS itself.
  smsSent: sql`(${e.event} = 'message.handed_over' and ${e.reason} like '%:sms') or (${e.event} = 'admin.sign_in.code_sent' and ${e.outcome} = 'success')`,
  smsDelivered: sql`${e.event} = 'message.delivered' and ${e.reason} like '%:sms'`,
  smsFailed: sql`(${e.event} in ('message.failed', 'message.delivery_failed') and ${e.reason} like '%:sms')
    or (${e.event} = 'admin.sign_in.code_sent' and ${e.outcome} = 'failure')`,
};
export type TotalName = keyof typeof totalsSql;
export const totalNames = Object.keys(totalsSql) as TotalName[];
export type Totals = Record<TotalName, number> & { events: number };

export type DayCount = { day: string; events: number; problems: number };

/**
 * Totals and events per Amsterdam day for the filtered period, in one grouped read of the matching rows (the filters'
 * index bounds it; the default period is a week, so an unfiltered page never counts the whole trail).
 */
export async function auditSummary(db: Db, f: ResolvedFilters): Promise<{ totals: Totals; days: DayCount[] }> {
  const day = sql<string>`to_char(${e.at} at time zone ${sql.raw(`'${AUDIT_ZONE}'`)}, 'YYYY-MM-DD')`;
  const counts = Object.fromEntries(totalNames.map((name) => [name, sql<number>`(count(*) filter (where ${totalsSql[name]}))::int`]));
  const rows = (await db
    .select({
      day,
      events: sql<number>`count(*)::int`,
      problems: sql<number>`(count(*) filter (where ${e.outcome} in ('failure', 'refused')))::int`,
      ...counts,
    })
    .from(e)
    .where(whereAll(f))
    .groupBy(sql`1`)
    .orderBy(sql`1`)) as unknown as (DayCount & Record<TotalName, number>)[];
  const totals = Object.fromEntries([...totalNames, "events" as const].map((name) => [name, 0])) as Totals;
  for (const row of rows) for (const name of [...totalNames, "events" as const]) totals[name] += Number(row[name]);
  return { totals, days: rows.map((r) => ({ day: r.day, events: Number(r.events), problems: Number(r.problems) })) };
}
