// The audit page's queries on both drivers over 100,000 seeded rows: every filter is an index read (EXPLAIN), keyset
// paging returns each row exactly once in both directions (ties and microseconds included), totals and timelines add up.
import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit, type AuditEventName } from "@/lib/audit/record";
import type { DbHandle } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { rowsOf } from "@/lib/db/rows";
import { keyedHash } from "@/lib/security/keyed-hash";
import { drivers, freshDb } from "@/tests/db";
import {
  auditPage,
  auditSummary,
  entriesQueries,
  filtersForAudit,
  flowTimeline,
  resolveFilters,
  type AuditEntry,
  type ResolvedFilters,
} from "./query";
import { decodeCursor, type PageRequest } from "./query-cursor";
import type { AuditFilters } from "./query-filters";

const ROWS = 100_000;
const base = new Date("2026-03-01T00:00:00Z");
// Ten events per flow, one flow per (user, IP); three rows share each 20-second tick, the third one microsecond later.
const events = [
  ["recovery.started", "success", null],
  ["recovery.intent_chosen", "success", "reset"],
  ["recovery.number_checked", "success", "sms"],
  ["recovery.code_sent", "success", "sms"],
  ["recovery.code_failed", "failure", "wrong-code"],
  ["recovery.code_verified", "success", null],
  ["password.reset", "success", "self-service"],
  ["message.handed_over", "success", "notification:sms"],
  ["sign_in.failed", "failure", "wrong-password"],
  ["account.locked", "info", "too-many-failures"],
] as const;
const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const JAN = { id: userId(7), email: "Jan.Jansen@flynth.nl" };
const UNKNOWN_ID = "Niemand.Bekend@flynth.nl";
const everything: AuditFilters = {
  from: new Date("2026-02-01T00:00:00Z"),
  to: null,
  event: null,
  outcome: null,
  user: null,
  ip: null,
  flow: null,
};

describe.each(drivers())("audit queries on %s", (driver) => {
  let h: DbHandle;
  const all = (over: Partial<ResolvedFilters> = {}): ResolvedFilters => ({ ...everything, user: null, ...over });

  // 100,000 audit rows inserted and analysed once for all the tests below: up to a minute on PGlite on a busy machine.
  beforeAll(async () => {
    h = await freshDb(driver);
    await h.db
      .insert(users)
      .values({ id: JAN.id, email: JAN.email, emailKey: JAN.email.toLowerCase(), firstName: "Jan", lastName: "Jansen", passwordHash: "x" });
    const names = sql.raw(`array[${events.map(([e]) => `'${e}'`).join(",")}]`);
    const outcomes = sql.raw(`array[${events.map(([, o]) => `'${o}'`).join(",")}]`);
    const reasons = sql.raw(`array[${events.map(([, , r]) => (r ? `'${r}'` : "null")).join(",")}]::text[]`);
    // One statement, the server building the rows. The hash chain seals each row in a trigger at commit (one
    // plpgsql call and update per row: minutes for 100,000), so the seed skips the table's triggers; these rows stay
    // outside the chain, which no query here reads, and every row written later is sealed as usual.
    await h.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger user`);
      await tx.execute(sql`
      insert into audit_events (at, event, outcome, reason, user_id, flow_id, ip, user_agent, locale)
      select ${base.toISOString()}::timestamptz + (g / 3) * interval '20 seconds' + (case when g % 3 = 2 then interval '1 microsecond' else interval '0' end),
             (${names})[1 + g % 10], (${outcomes})[1 + g % 10], (${reasons})[1 + g % 10],
             ('00000000-0000-4000-8000-' || lpad(((g / 10) % 50)::text, 12, '0'))::uuid,
             'flow-' || (g / 10), '10.0.' || ((g / 10) % 200) || '.1', 'Mozilla/5.0 seed', 'nl'
      from generate_series(0, ${ROWS - 1}) g`);
      await tx.execute(sql`alter table audit_events enable trigger user`);
    });
    // An unknown typed ID is logged by its keyed hash only (as a CAPTCHA failure and a flow start).
    const hash = keyedHash("user-id", UNKNOWN_ID.toLowerCase());
    for (const event of ["recovery.captcha_failed", "recovery.started"] as const) {
      await recordAudit(h.db, {
        event,
        outcome: "failure",
        subjectHash: hash,
        flowId: "flow-unknown",
        at: new Date("2026-03-20T10:00:00Z"),
      });
    }
    await h.db.execute(sql`analyze audit_events`);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  /** Ids straight from the table, newest first: what paging must reproduce. */
  async function expectedIds(condition: SQL = sql`true`): Promise<number[]> {
    const rows = rowsOf<{ id: string | number }>(
      await h.db.execute(sql`select id from audit_events where ${condition} order by at desc, id desc`),
    );
    return rows.map((r) => Number(r.id));
  }

  /** Pages older until the end, then (when asked) newer back to the start; returns the ids seen each way. */
  async function walk(f: ResolvedFilters, size: number, back = true) {
    const pages: AuditEntry[][] = [];
    let page = await auditPage(h.db, f, null, size);
    expect(page.newer).toBeNull();
    pages.push(page.entries);
    while (page.older) {
      page = await auditPage(h.db, f, { direction: "before", cursor: decodeCursor(page.older)! }, size);
      pages.push(page.entries);
    }
    const backPages: AuditEntry[][] = [page.entries];
    while (back && page.newer) {
      page = await auditPage(h.db, f, { direction: "after", cursor: decodeCursor(page.newer)! }, size);
      backPages.unshift(page.entries);
    }
    return { pages, back: backPages, ids: pages.flat().map((e) => e.id), backIds: backPages.flat().map((e) => e.id) };
  }

  // Eleven pages of 10,000 rows, each compared with the expected ids: longer than the default 30 s on PGlite.
  it("pages through all 100,000 rows newest first, each exactly once, ties and microseconds included", async () => {
    const { ids, pages } = await walk(all(), 10_000, false);
    expect(ids.length).toBe(ROWS + 2);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(await expectedIds());
    expect(pages.slice(0, -1).every((p) => p.length === 10_000)).toBe(true);
  }, 120_000);

  // Ten pages each way over the 100,000 rows: up to a minute on PGlite on a busy machine.
  it("pages a filtered view back and forth: the same pages, newest page full, and no cursor past either end", async () => {
    const f = all({ ip: "10.0.3.1" });
    const { ids, backIds, pages, back } = await walk(f, 50);
    expect(ids).toEqual(await expectedIds(sql`ip = '10.0.3.1'`));
    expect(ids.length).toBe(ROWS / 200);
    expect(backIds).toEqual(ids);
    expect(back.map((p) => p.length)).toEqual(pages.map((p) => p.length));
    // "Newer" than a row of the second page: the 50 rows just above it, newest first.
    const second = await auditPage(h.db, f, { direction: "before", cursor: decodeCursor(pages[0]![49]!.cursor)! }, 50);
    const above = await auditPage(h.db, f, { direction: "after", cursor: decodeCursor(second.entries[5]!.cursor)! }, 50);
    expect(above.entries.map((e) => e.id)).toEqual([...pages[0]!.slice(5), ...second.entries.slice(0, 5)].map((e) => e.id));
    // Fewer than a page above the cursor: the full newest page, which has no newer link.
    const newest = await auditPage(h.db, f, { direction: "after", cursor: decodeCursor(pages[0]![10]!.cursor)! }, 50);
    expect(newest.entries.map((e) => e.id)).toEqual(pages[0]!.map((e) => e.id));
    expect(newest.newer).toBeNull();
  }, 60_000);

  const cursor = { at: "2026-03-05T12:00:00.000000Z", id: 50_000 };
  // The index each query reads (a user filter is two queries: the account's rows, then its typed ID's hash rows).
  const planned: [string, Partial<ResolvedFilters>, string[]][] = [
    ["no filter", {}, ["audit_events_at_idx"]],
    [
      "a user (account and its typed ID's hash)",
      { user: { userId: JAN.id, subjectHash: "f".repeat(64) } },
      ["audit_events_user_idx", "audit_events_subject_idx"],
    ],
    ["an unknown ID's hash", { user: { userId: null, subjectHash: "f".repeat(64) } }, ["audit_events_subject_idx"]],
    ["an IP address", { ip: "10.0.3.1" }, ["audit_events_ip_idx"]],
    ["a flow", { flow: "flow-42" }, ["audit_events_flow_idx"]],
    ["a common event", { event: { kind: "exact", name: "account.locked" } }, ["audit_events_"]],
    ["a rare event", { event: { kind: "exact", name: "admin.audit_exported" } }, ["audit_events_event_idx"]],
    ["a rare event prefix", { event: { kind: "prefix", prefix: "admin." } }, ["audit_events_event_idx"]],
    [
      "an outcome within a day",
      { outcome: "failure", from: new Date("2026-03-04T00:00:00Z"), to: new Date("2026-03-05T00:00:00Z") },
      ["audit_events_at_idx"],
    ],
  ];
  it.each(planned)("reads a page filtered by %s through an index, never a sequential scan", async (_name, over, indexes) => {
    for (const page of [null, { direction: "before", cursor }, { direction: "after", cursor }] as PageRequest[]) {
      const queries = entriesQueries(h.db, all(over), page, 51);
      expect(queries).toHaveLength(indexes.length);
      for (const [i, q] of queries.entries()) {
        const plan = rowsOf<Record<string, string>>(await h.db.execute(sql`explain ${q.getSQL()}`))
          .map((r) => Object.values(r)[0])
          .join("\n");
        expect(plan).not.toMatch(/Seq Scan on audit_events/);
        expect(plan).toContain(indexes[i]);
      }
    }
  });

  it("filters by event (exact or prefix), outcome, flow, period, and combines them", async () => {
    const count = async (over: Partial<ResolvedFilters>) => (await auditPage(h.db, all(over), null, 1_000)).entries;
    const total = async (over: Partial<ResolvedFilters>) => (await auditSummary(h.db, all(over))).totals.events;
    expect((await count({ event: { kind: "exact", name: "password.reset" } })).every((e) => e.event === "password.reset")).toBe(true);
    expect(await total({ event: { kind: "exact", name: "password.reset" } })).toBe(ROWS / 10);
    expect(await total({ event: { kind: "prefix", prefix: "sign_in." } })).toBe(ROWS / 10);
    expect(new Set((await count({ event: { kind: "prefix", prefix: "sign_in." } })).map((e) => e.event))).toEqual(
      new Set(["sign_in.failed"]),
    );
    // "recovery." takes every recovery.* event and nothing that merely starts with "recovery".
    expect(await count({ event: { kind: "prefix", prefix: "recovery." }, ip: "10.0.3.1" })).toHaveLength((ROWS / 200 / 10) * 6);
    expect(await count({ outcome: "info", ip: "10.0.3.1" })).toHaveLength(ROWS / 200 / 10);
    const flow = await count({ flow: "flow-42" });
    expect(flow.map((e) => e.event)).toEqual(events.map(([e]) => e).reverse());
    const from = new Date("2026-03-02T00:00:00Z");
    const to = new Date("2026-03-02T01:00:00Z");
    const hour = await count({ from, to });
    expect(hour).toHaveLength(3 * 180);
    expect(hour.every((e) => e.at >= from && e.at < to)).toBe(true);
  });

  it("resolves the user filter from an e-mail address in any case, an account id, or an unknown ID (by its keyed hash)", async () => {
    const byEmail = await resolveFilters(h.db, { ...everything, user: " jan.JANSEN@flynth.nl " });
    expect(byEmail.user).toEqual({ userId: JAN.id, subjectHash: keyedHash("user-id", "jan.jansen@flynth.nl") });
    const rows = (await auditPage(h.db, byEmail, null, 5_000)).entries;
    expect(rows).toHaveLength(ROWS / 50);
    expect(rows.every((e) => e.account?.kind === "user" && e.account.email === JAN.email)).toBe(true);
    expect((await resolveFilters(h.db, { ...everything, user: JAN.id.toUpperCase() })).user?.userId).toBe(JAN.id);

    const unknown = await resolveFilters(h.db, { ...everything, user: UNKNOWN_ID });
    const hash = keyedHash("user-id", UNKNOWN_ID.toLowerCase());
    expect(unknown.user).toEqual({ userId: null, subjectHash: hash });
    const unknownRows = (await auditPage(h.db, unknown, null, 50)).entries;
    expect(unknownRows.map((e) => e.event)).toEqual(["recovery.started", "recovery.captcha_failed"]);
    expect(unknownRows[0]!.account).toEqual({ kind: "unknown", hash });
    // The hash the page shows for an unknown ID filters by it directly.
    expect((await auditPage(h.db, await resolveFilters(h.db, { ...everything, user: hash }), null, 50)).entries).toHaveLength(2);
    // What admin.audit_viewed records: the account's id or the hash, never the typed text.
    expect(filtersForAudit(unknown)).toMatchObject({ userId: null, userHash: hash });
    expect(JSON.stringify(filtersForAudit(unknown))).not.toMatch(/niemand/i);
  });

  // Two summaries over the 100,000 rows: up to a minute on PGlite on a busy machine.
  it("counts the period's totals and events per Amsterdam day in one read, with the filters applied", async () => {
    const { totals, days } = await auditSummary(h.db, all());
    expect(totals).toEqual({
      events: ROWS + 2,
      resets: ROWS / 10,
      unlocks: 0,
      failedVerifications: ROWS / 10,
      lockouts: ROWS / 10,
      rateLimits: 0,
      smsSent: ROWS / 10,
      smsDelivered: 0,
      smsFailed: 0,
    });
    expect(days.reduce((n, d) => n + d.events, 0)).toBe(ROWS + 2);
    // The first rows start at midnight UTC, 01:00 in Amsterdam: 3 per 20 s for 23 hours on the first day.
    expect(days[0]).toEqual({ day: "2026-03-01", events: 23 * 180 * 3, problems: ((23 * 180 * 3) / 10) * 2 });
    const jan = await auditSummary(h.db, await resolveFilters(h.db, { ...everything, user: JAN.email }));
    expect(jan.totals).toMatchObject({ events: ROWS / 50, resets: ROWS / 500, lockouts: ROWS / 500 });
  }, 60_000);

  it("counts each total from the events the portal really writes (wizard, admin sign-in, delivery reports, limits)", async () => {
    const day = new Date("2026-04-01T10:00:00Z");
    const rows: [AuditEventName, "success" | "failure" | "refused" | "info", string | null][] = [
      ["recovery.code_failed", "failure", "wrong-code"],
      ["recovery.number_checked", "failure", "phone-mismatch"],
      ["recovery.number_checked", "success", "sms"],
      ["admin.sign_in.failed", "failure", "wrong-code"],
      ["admin.sign_in.failed", "failure", "wrong-password"],
      ["admin.sign_in.failed", "refused", "sign-in-per-ip"],
      ["recovery.rate_limited", "refused", "flow-starts-per-ip"],
      ["sign_in.rate_limited", "refused", "sign-in-per-ip"],
      ["sms.breaker_tripped", "info", "hour"],
      ["message.handed_over", "success", "code:sms"],
      ["message.handed_over", "success", "code:voice"],
      ["admin.sign_in.code_sent", "success", "sms"],
      ["admin.sign_in.code_sent", "failure", "sms"],
      ["message.delivered", "success", "code:sms"],
      ["message.delivered", "success", "code:voice"],
      ["message.delivery_failed", "failure", "notification:sms"],
      ["message.failed", "failure", "code:sms"],
      ["message.failed", "failure", "code:voice"],
      ["account.unlocked", "success", "self-service"],
      ["password.reset", "success", "self-service"],
      ["account.locked", "info", "too-many-failures"],
    ];
    for (const [event, outcome, reason] of rows) await recordAudit(h.db, { event, outcome, reason, ip: "192.0.2.99", at: day });
    const { totals, days } = await auditSummary(h.db, all({ ip: "192.0.2.99" }));
    expect(totals).toEqual({
      events: rows.length,
      resets: 1,
      unlocks: 1,
      failedVerifications: 3,
      lockouts: 1,
      rateLimits: 4,
      smsSent: 2,
      smsDelivered: 1,
      smsFailed: 3,
    });
    expect(days).toEqual([{ day: "2026-04-01", events: rows.length, problems: 11 }]);
  });

  it("shows one flow's timeline oldest first with its account", async () => {
    const steps = await flowTimeline(h.db, "flow-57");
    expect(steps.map((s) => s.event)).toEqual(events.map(([e]) => e));
    expect(steps.every((s) => s.account?.kind === "user" && s.account.id === userId(57 % 50))).toBe(true);
    expect(await flowTimeline(h.db, "flow-none")).toEqual([]);
  });
});
