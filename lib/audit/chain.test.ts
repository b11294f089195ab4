// The audit trail's hash chain on both drivers: the application cannot change it, verify finds every kind of tampering
// (as a database superuser would do it, past the triggers), prune keeps it verifiable, and parallel writers never fork it.
import { createHash } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "@/lib/db/client";
import {
  adminSessions,
  userSessions,
  auditEvents,
  outboxMessages,
  phantomSignIns,
  rateLimits,
  recoveryFlows,
  usedCaptchas,
  users,
  verificationCodes,
} from "@/lib/db/schema";
import { rowsOf } from "@/lib/db/rows";
import { drivers, freshDb } from "@/tests/db";
import { CANONICAL_COLUMNS, GENESIS_HASH, chainHead, verifyChain, type VerifyResult } from "./chain";
import { pruneAuditTrail, pruneHousekeeping } from "./prune";
import { recordAudit, type AuditEvent } from "./record";

const t0 = new Date("2026-03-02T09:00:00.000Z");
const days = (n: number) => new Date(t0.getTime() + n * 86_400_000);

/** Runs SQL past every trigger, as a superuser could (session_replication_role = replica, this transaction only). */
async function asSuperuser(db: Db, statement: ReturnType<typeof sql>) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

const event = (i: number, at = days(0)): AuditEvent => ({
  event: (["recovery.started", "recovery.intent_chosen", "recovery.number_checked", "recovery.code_sent"] as const)[i % 4]!,
  outcome: i % 3 ? "success" : "failure",
  ip: `10.0.0.${i}`,
  at,
  details: { i },
});

async function write(db: Db, n: number, at?: (i: number) => Date) {
  for (let i = 1; i <= n; i++) await recordAudit(db, event(i, at?.(i)));
}

const rows = (db: Db) => db.select().from(auditEvents).orderBy(asc(auditEvents.seq));

function problem(result: VerifyResult) {
  if (result.ok) throw new Error(`verify passed: ${JSON.stringify(result)}`);
  return result.problem;
}

describe.each(drivers())("audit hash chain on %s", (driver) => {
  let handles: DbHandle[] = [];
  /** A fresh database per test that tampers, so one test's damage never explains another's result. */
  const fresh = async () => {
    const h = await freshDb(driver);
    handles.push(h);
    return h.db;
  };
  afterEach(async () => {
    await Promise.all(handles.map((h) => h.close()));
    handles = [];
  });

  it("serialises every column canonically: the same text and hash on every server, pinned to a known value", async () => {
    const db = await fresh();
    await recordAudit(db, {
      event: "recovery.code_failed",
      outcome: "failure",
      reason: 'quote " pipe | tilde ~ newline \n end',
      userId: "3f2b8c1e-4d5a-4e6f-9a7b-1c2d3e4f5a6b",
      flowId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
      ip: "2001:db8::1",
      userAgent: "Mozilla/5.0 (Ünïcödé; 😀)",
      locale: "nl",
      details: { z: 1.5, a: 'x"y', big: 12345678901234, yes: true, none: null },
      at: new Date("2026-03-02T09:00:00.123Z"),
    });
    const [row] = rowsOf<{ canonical: string; hash: string; computed: string }>(
      await db.execute(sql`select audit_event_canonical(e) as canonical, hash, audit_event_hash(e) as computed from audit_events e`),
    );
    const f = (v: string | null) => (v === null ? "~" : `${[...v].length}:${v}`);
    const expected = [
      "toegang-audit-v1",
      f("1"),
      f(GENESIS_HASH),
      f("1"),
      f("2026-03-02T09:00:00.123000Z"),
      f("recovery.code_failed"),
      f("failure"),
      f('quote " pipe | tilde ~ newline \n end'),
      f("3f2b8c1e-4d5a-4e6f-9a7b-1c2d3e4f5a6b"),
      f(null),
      f("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"),
      f("2001:db8::1"),
      f("Mozilla/5.0 (Ünïcödé; 😀)"),
      f("nl"),
      f('{"a": "x\\"y", "z": 1.5, "big": 12345678901234, "yes": true, "none": null}'),
    ].join("|");
    expect(row!.canonical).toBe(expected);
    expect(row!.hash).toBe(createHash("sha256").update(expected, "utf8").digest("hex"));
    expect(row!.hash).toBe(row!.computed);
    // The same on PostgreSQL 15 and PGlite: a change in any server's text forms would move this value.
    expect(row!.hash).toBe("49f025e681ee6d5eb1b17848fdeda09b4df7e31f0e1da134332bd2872a0c6823");

    // Every column is covered: a new column in audit_events needs a new serialisation version.
    const columns = rowsOf<{ column_name: string }>(
      await db.execute(
        sql`select column_name from information_schema.columns where table_name = 'audit_events' and column_name <> 'hash' order by column_name`,
      ),
    ).map((c) => c.column_name);
    expect(columns).toEqual([...CANONICAL_COLUMNS].sort());
  });

  it("the application cannot update, delete, truncate or forge audit rows or the chain head", async () => {
    const db = await fresh();
    await write(db, 3);
    await recordAudit(db, { event: "user.signed_out", outcome: "success", reason: "test-recent" });
    const before = await rows(db);
    const head = await chainHead(db);
    const refused = (statement: ReturnType<typeof sql>) => expect(db.execute(statement)).rejects.toThrow();
    await refused(sql`update audit_events set outcome = 'success'`);
    await refused(sql`update audit_events set hash = ${"f".repeat(64)} where seq = 2`);
    await refused(sql`update audit_events set seq = seq + 10`);
    await refused(sql`delete from audit_events where seq = 2`);
    await refused(sql`truncate audit_events`);
    await refused(
      sql`insert into audit_events (event, outcome, seq, prev_hash, hash) values ('forged', 'success', 4, ${head.hash}, ${"a".repeat(64)})`,
    );
    await refused(sql`update audit_chain_head set seq = 0, hash = ${GENESIS_HASH}`);
    await refused(sql`delete from audit_chain_head`);
    await refused(sql`truncate audit_chain_head`);
    // The switches the database itself uses do not open more: sealing touches only unsealed rows, pruning only deletes.
    for (const [name, statement] of [
      ["toegang.audit_seal", sql`update audit_events set reason = 'x', hash = hash where seq = 1`],
      ["toegang.audit_prune", sql`update audit_events set reason = 'x' where seq = 1`],
    ] as const) {
      await expect(
        db.transaction(async (tx) => {
          await tx.execute(sql`select set_config(${name}, 'on', true)`);
          await tx.execute(statement);
        }),
      ).rejects.toThrow();
    }
    // Nor can any connection that turns the switches on itself: seal a fresh row with a hash of its choosing, move the
    // head, or delete recent rows as if it were the retention job.
    const forgeries = [
      [
        "toegang.audit_seal",
        sql`update audit_events set seq = 5, prev_hash = ${head.hash}, hash = ${"a".repeat(64)} where reason = 'forged-pending'`,
      ],
      ["toegang.audit_seal", sql`update audit_chain_head set seq = seq + 1, hash = ${"b".repeat(64)}`],
      ["toegang.audit_prune", sql`delete from audit_events where reason = 'test-recent'`],
    ] as const;
    for (const [name, statement] of forgeries) {
      await expect(
        db.transaction(async (tx) => {
          await recordAudit(tx, { event: "user.signed_out", outcome: "success", reason: "forged-pending" });
          await tx.execute(sql`select set_config(${name}, 'on', true)`);
          await tx.execute(statement);
        }),
      ).rejects.toThrow();
    }
    expect(await rows(db)).toEqual(before);
    expect(await chainHead(db)).toEqual(head);
    expect((await verifyChain(db)).ok).toBe(true);
  });

  it("verify passes on an untouched chain: every row, in commit order, ending at the head", async () => {
    const db = await fresh();
    await write(db, 5);
    await db.transaction(async (tx) => {
      await recordAudit(tx, event(6));
      await recordAudit(tx, event(7));
    });
    const all = await rows(db);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(all[0]!.prevHash).toBe(GENESIS_HASH);
    all.slice(1).forEach((r, i) => expect(r.prevHash).toBe(all[i]!.hash));
    // Small batches: the links across batch boundaries are checked too.
    for (const batchSize of [2, 3, 50_000]) {
      expect(await verifyChain(db, { batchSize })).toEqual({
        ok: true,
        rows: 7,
        anchor: { kind: "genesis" },
        head: { seq: 7, hash: all[6]!.hash },
      });
    }
  });

  it("an empty trail verifies", async () => {
    expect(await verifyChain(await fresh())).toEqual({
      ok: true,
      rows: 0,
      anchor: { kind: "empty" },
      head: { seq: 0, hash: GENESIS_HASH },
    });
  });

  it("reports a row whose content was changed as the first broken link, with its id and time", async () => {
    const db = await fresh();
    await write(db, 6, (i) => days(i));
    const target = (await rows(db))[3]!;
    await asSuperuser(db, sql`update audit_events set outcome = 'success', reason = 'edited' where id = ${target.id}`);
    await asSuperuser(db, sql`update audit_events set ip = '10.9.9.9' where seq = 6`);
    for (const batchSize of [2, 50_000]) {
      expect(problem(await verifyChain(db, { batchSize }))).toEqual({
        kind: "content-changed",
        id: target.id,
        seq: 4,
        at: days(4),
        detail: "its content no longer matches its hash",
      });
    }
  });

  it("reports a row replaced with a freshly computed hash at the next row, whose link no longer fits", async () => {
    const db = await fresh();
    await write(db, 5);
    await asSuperuser(db, sql`update audit_events set reason = 'rewritten' where seq = 2`);
    await asSuperuser(db, sql`update audit_events e set hash = audit_event_hash(e) where seq = 2`);
    const third = (await rows(db))[2]!;
    expect(problem(await verifyChain(db))).toMatchObject({ kind: "link-broken", id: third.id, seq: 3 });
  });

  it("reports a deleted middle row, a deleted newest row and rows deleted from the front", async () => {
    const middle = await fresh();
    await write(middle, 6);
    const all = await rows(middle);
    await asSuperuser(middle, sql`delete from audit_events where seq in (3, 4)`);
    expect(problem(await verifyChain(middle, { batchSize: 2 }))).toMatchObject({
      kind: "row-missing",
      id: all[4]!.id,
      seq: 5,
      detail: "rows with seq 3–4 are gone",
    });

    const newest = await fresh();
    await write(newest, 4);
    await asSuperuser(newest, sql`delete from audit_events where seq = 4`);
    expect(problem(await verifyChain(newest))).toMatchObject({
      kind: "row-missing",
      seq: 3,
      detail: "rows after it are gone: the chain head is at seq 4, the last row is seq 3",
    });

    const front = await fresh();
    await write(front, 4);
    await asSuperuser(front, sql`delete from audit_events where seq <= 2`);
    expect(problem(await verifyChain(front))).toMatchObject({
      kind: "row-missing",
      seq: 3,
      detail: "the chain starts at seq 3, but no audit.pruned row accounts for the rows before it",
    });
  });

  it("reports a row written past the triggers, outside the chain", async () => {
    const db = await fresh();
    await write(db, 2);
    await asSuperuser(db, sql`insert into audit_events (event, outcome) values ('forged', 'success')`);
    expect(problem(await verifyChain(db))).toMatchObject({ kind: "not-sealed", id: 3, seq: null });
  });

  it("prune deletes only rows older than the cutoff, oldest first, records each batch, and verify accepts the new anchor", async () => {
    const db = await fresh();
    // Ten old rows, one new, then an old one sealed after it (it must wait: only a front part of the chain can go).
    await write(db, 10, (i) => days(i));
    await recordAudit(db, event(11, days(100)));
    await recordAudit(db, event(12, days(5)));
    const before = await rows(db);

    const result = await pruneAuditTrail(db, { cutoff: days(8), retentionDays: 30, batchSize: 3 });
    expect(result).toEqual({ deleted: 7, batches: 3, lastDeleted: { seq: 7, hash: before[6]!.hash } });
    const after = await rows(db);
    expect(after.slice(0, 5).map((r) => r.id)).toEqual(before.slice(7).map((r) => r.id));
    const records = after.filter((r) => r.event === "audit.pruned");
    expect(records.map((r) => r.details)).toEqual([
      {
        count: 3,
        cutoff: days(8).toISOString(),
        retentionDays: 30,
        firstDeletedSeq: 1,
        lastDeletedSeq: 3,
        lastDeletedHash: before[2]!.hash,
      },
      {
        count: 3,
        cutoff: days(8).toISOString(),
        retentionDays: 30,
        firstDeletedSeq: 4,
        lastDeletedSeq: 6,
        lastDeletedHash: before[5]!.hash,
      },
      {
        count: 1,
        cutoff: days(8).toISOString(),
        retentionDays: 30,
        firstDeletedSeq: 7,
        lastDeletedSeq: 7,
        lastDeletedHash: before[6]!.hash,
      },
    ]);
    expect(await verifyChain(db)).toEqual({
      ok: true,
      rows: 8,
      anchor: { kind: "pruned", seq: 8, prunedBy: { id: records[2]!.id, seq: records[2]!.seq } },
      head: await chainHead(db),
    });

    // Nothing old enough any more: the run is recorded, nothing deleted, the chain still verifies.
    expect(await pruneAuditTrail(db, { cutoff: days(8), retentionDays: 30 })).toEqual({ deleted: 0, batches: 1, lastDeleted: null });
    expect((await rows(db)).at(-1)).toMatchObject({ event: "audit.pruned", details: { count: 0, lastDeletedHash: null } });
    expect((await verifyChain(db)).ok).toBe(true);

    // A cutoff in the future still keeps the last day: here only the prune records (written now) remain, and they
    // still anchor the chain.
    await pruneAuditTrail(db, { cutoff: new Date(Date.now() + 86_400_000), retentionDays: 1 });
    const left = await rows(db);
    expect(left.map((r) => r.event)).toEqual(Array(5).fill("audit.pruned"));
    expect(await verifyChain(db)).toMatchObject({ ok: true, rows: 5, anchor: { kind: "pruned", seq: left[0]!.seq } });
  });

  it("parallel writers, some inside transactions that lock other rows, produce one unbroken chain", async () => {
    const db = await fresh();
    const [user] = await db
      .insert(users)
      .values({ email: "a@example.nl", emailKey: "a@example.nl", firstName: "A", lastName: "B", passwordHash: "x" })
      .returning();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 3 === 0
          ? recordAudit(db, event(i))
          : db.transaction(async (tx) => {
              // Audit first and lock the user afterwards in some, the other way round in others: sealing at commit
              // means neither order can deadlock with the chain.
              if (i % 2) await recordAudit(tx, event(i));
              await tx
                .update(users)
                .set({ failedSignIns: sql`${users.failedSignIns} + 1` })
                .where(eq(users.id, user!.id));
              await recordAudit(tx, event(100 + i));
            }),
      ),
    );
    const all = await rows(db);
    const expected = 50 + Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 3 !== 0 && i % 2 === 1).length;
    expect(all).toHaveLength(expected);
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    expect(await verifyChain(db, { batchSize: 7 })).toMatchObject({ ok: true, rows: expected, anchor: { kind: "genesis" } });
  });
});

describe.each(drivers())("housekeeping on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("removes only expired state, keeps what is still needed, and records what it removed", async () => {
    const now = days(400);
    const cutoff = days(35);
    await h.db.insert(rateLimits).values([
      { key: "old", count: 1, windowStart: days(399), expiresAt: new Date(now.getTime() - 2 * 3600_000) },
      { key: "live", count: 1, windowStart: now, expiresAt: new Date(now.getTime() + 3600_000) },
    ]);
    await h.db.insert(usedCaptchas).values([
      { nonce: "old", expiresAt: new Date(now.getTime() - 2 * 3600_000) },
      { nonce: "recent", expiresAt: new Date(now.getTime() - 60_000) },
    ]);
    await h.db.insert(phantomSignIns).values([
      { idHash: "idle", failedSignIns: 2, updatedAt: days(1) },
      { idHash: "lock-over", failedSignIns: 5, lockedAt: days(1), lockedUntil: days(2), updatedAt: days(1) },
      { idHash: "locked-for-good", failedSignIns: 5, lockedAt: days(1), lockedUntil: null, updatedAt: days(1) },
      { idHash: "active", failedSignIns: 1, updatedAt: days(300) },
    ]);
    const flow = (id: string, expiresAt: Date) => ({
      id,
      tokenHash: id,
      step: "ended",
      subjectHash: "s",
      maskedDigits: "56",
      locale: "nl",
      expiresAt,
    });
    await h.db
      .insert(recoveryFlows)
      .values([flow("00000000-0000-4000-8000-000000000001", days(2)), flow("00000000-0000-4000-8000-000000000002", days(300))]);
    await h.db
      .insert(verificationCodes)
      .values({ flowId: "00000000-0000-4000-8000-000000000001", purpose: "reset", codeHash: "h", channel: "sms", expiresAt: days(2) });

    const [admin] = await h.db
      .insert(users)
      .values({
        email: "beheer@example.nl",
        emailKey: "beheer@example.nl",
        firstName: "B",
        lastName: "Beheer",
        passwordHash: "x",
        isAdmin: true,
      })
      .returning({ id: users.id });
    const adminSession = (id: string, expiresAt: Date) => ({
      id,
      tokenHash: id,
      userId: admin!.id,
      stage: "active",
      locale: "nl",
      expiresAt,
    });
    await h.db
      .insert(adminSessions)
      .values([
        adminSession("00000000-0000-4000-8000-00000000000a", new Date(now.getTime() - 2 * 86_400_000)),
        adminSession("00000000-0000-4000-8000-00000000000b", new Date(now.getTime() - 3600_000)),
      ]);
    const message = (body: string, createdAt: Date) => ({
      recipient: "+31612345678",
      channel: "sms",
      locale: "nl",
      body,
      purpose: "code",
      transport: "outbox",
      createdAt,
    });
    await h.db
      .insert(outboxMessages)
      .values([message("old", new Date(now.getTime() - 8 * 86_400_000)), message("recent", new Date(now.getTime() - 6 * 86_400_000))]);

    await h.db.insert(userSessions).values([
      { tokenHash: "old", accountId: admin!.id, expiresAt: new Date(now.getTime() - 2 * 86_400_000) },
      { tokenHash: "recent", accountId: admin!.id, expiresAt: new Date(now.getTime() - 3600_000) },
    ]);

    const removed = {
      rateLimits: 1,
      usedCaptchas: 1,
      phantomSignIns: 2,
      recoveryFlows: 1,
      adminSessions: 1,
      userSessions: 1,
      outboxMessages: 1,
    };
    expect(await pruneHousekeeping(h.db, { cutoff, now })).toEqual(removed);
    expect((await h.db.select().from(adminSessions)).map((r) => r.id)).toEqual(["00000000-0000-4000-8000-00000000000b"]);
    expect((await h.db.select().from(userSessions)).map((r) => r.tokenHash)).toEqual(["recent"]);
    expect((await h.db.select().from(outboxMessages)).map((r) => r.body)).toEqual(["recent"]);
    expect((await h.db.select().from(rateLimits)).map((r) => r.key)).toEqual(["live"]);
    expect((await h.db.select().from(usedCaptchas)).map((r) => r.nonce)).toEqual(["recent"]);
    expect((await h.db.select().from(phantomSignIns)).map((r) => r.idHash).sort()).toEqual(["active", "locked-for-good"]);
    expect((await h.db.select().from(recoveryFlows)).map((r) => r.id)).toEqual(["00000000-0000-4000-8000-000000000002"]);
    expect(await h.db.select().from(verificationCodes)).toEqual([]);
    const [record] = await h.db.select().from(auditEvents).where(eq(auditEvents.event, "housekeeping.pruned"));
    expect(record!.details).toEqual({ ...removed, cutoff: cutoff.toISOString() });

    // A second run finds nothing and writes nothing.
    expect(await pruneHousekeeping(h.db, { cutoff, now })).toEqual({
      rateLimits: 0,
      usedCaptchas: 0,
      phantomSignIns: 0,
      recoveryFlows: 0,
      adminSessions: 0,
      userSessions: 0,
      outboxMessages: 0,
    });
    expect(await h.db.select().from(auditEvents).where(eq(auditEvents.event, "housekeeping.pruned"))).toHaveLength(1);
  });
});
