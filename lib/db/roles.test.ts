// The database guards the audit trail from the portal itself: on PostgreSQL the portal's runtime role can append audit
// rows (sealed into the chain at commit) and do its daily work, but cannot change, delete or truncate audit rows, move
// the chain head, switch the triggers off, or drop anything; pruning needs the owner.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "@/lib/audit/chain";
import { pruneAuditTrail } from "@/lib/audit/prune";
import { recordAudit } from "@/lib/audit/record";
import { hitLimit } from "@/lib/limits/rate-limit";
import { drivers, freshServerDatabase } from "@/tests/db";
import { openDb, type DbHandle } from "./client";
import { auditEvents, users } from "./schema";
import { permissionDenied, runtimeGrants } from "./roles";

const onPostgres = drivers().includes("postgres");

describe("runtime grants", () => {
  it("never give UPDATE or DELETE on the audit trail, nor any write to the chain head", () => {
    const statements = runtimeGrants("toegang_app").join("\n");
    expect(statements).toContain('REVOKE UPDATE, DELETE ON audit_events FROM "toegang_app"');
    expect(statements).toContain('REVOKE INSERT, UPDATE, DELETE ON audit_chain_head FROM "toegang_app"');
    expect(statements).not.toMatch(/TRUNCATE|TRIGGER|ALL PRIVILEGES|OWNER/);
    expect(runtimeGrants('x"; drop table users; --')[0]).toBe('GRANT USAGE ON SCHEMA public TO "x""; drop table users; --"');
  });
});

describe.skipIf(!onPostgres)("PostgreSQL: the runtime role", () => {
  const role = `toegang_rt_${randomBytes(4).toString("hex")}`;
  let database: Awaited<ReturnType<typeof freshServerDatabase>>;
  let ownerUrl: string;
  let runtimeUrl: string;
  let owner: DbHandle;
  let runtime: DbHandle;
  let raw: postgres.Sql;

  beforeAll(async () => {
    database = await freshServerDatabase();
    ownerUrl = database.url;
    const admin = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role ${role} login`);
    await admin.end();
    const url = new URL(ownerUrl);
    url.username = role;
    runtimeUrl = url.toString();
    // The portal's start: migrations as the owner, then the runtime role gets its rights; the portal uses the runtime role.
    runtime = await openDb({ databaseUrl: runtimeUrl, migrationUrl: ownerUrl });
    owner = await openDb({ databaseUrl: ownerUrl, migrate: false });
    raw = postgres(runtimeUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await raw?.end();
    await runtime?.close();
    await owner?.close();
    await database?.drop();
    const admin = postgres(ownerUrl.replace(/\/[^/]+$/, "/postgres"), { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop role if exists ${role}`);
    await admin.end();
  });

  const refused = async (statement: string) => {
    const error = await raw.unsafe(statement).then(
      () => null,
      (e: Error) => e,
    );
    expect(error, statement).not.toBeNull();
    return error!.message;
  };

  it("appends audit rows, which the database seals into the chain at commit", async () => {
    await runtime.db.transaction(async (tx) => {
      await recordAudit(tx, { event: "user.signed_out", outcome: "success", reason: "runtime-role" });
      await recordAudit(tx, { event: "user.signed_out", outcome: "success", reason: "runtime-role" });
    });
    const rows = await runtime.db
      .select()
      .from(auditEvents)
      .where(sql`${auditEvents.reason} = 'runtime-role'`);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyChain(runtime.db)).ok).toBe(true);
  });

  it("does the portal's other work: users, limits", async () => {
    await runtime.db.insert(users).values({ email: "a@b.nl", emailKey: "a@b.nl", firstName: "A", lastName: "B", passwordHash: "x" });
    await runtime.db
      .update(users)
      .set({ failedSignIns: 1 })
      .where(sql`${users.emailKey} = 'a@b.nl'`);
    expect((await hitLimit(runtime.db, { name: "t", max: 5, windowSeconds: 60 }, "x")).allowed).toBe(true);
    await runtime.db.delete(users).where(sql`${users.emailKey} = 'a@b.nl'`);
  });

  it("cannot change, delete or truncate audit rows, even with the retention switch on", async () => {
    expect(await refused("update audit_events set reason = 'forged'")).toMatch(/permission denied/);
    expect(await refused("delete from audit_events")).toMatch(/permission denied/);
    expect(await refused("truncate audit_events")).toMatch(/permission denied/);
    expect(await refused("begin; select set_config('toegang.audit_prune', 'on', true); delete from audit_events; commit")).toMatch(
      /permission denied/,
    );
    await raw.unsafe("rollback").catch(() => {});
  });

  it("cannot move or replace the chain head, nor call the sealing function", async () => {
    expect(await refused("update audit_chain_head set seq = seq + 1, hash = repeat('f', 64)")).toMatch(/permission denied/);
    expect(await refused("delete from audit_chain_head")).toMatch(/permission denied/);
    expect(await refused("insert into audit_chain_head (id, seq, hash) values (false, 0, 'x')")).toMatch(/permission denied/);
    expect(await refused("select audit_seal(1)")).toMatch(/permission denied/);
  });

  it("cannot switch the triggers off, replace their functions, or drop anything", async () => {
    expect(await refused("alter table audit_events disable trigger all")).toMatch(/must be owner/);
    expect(await refused("alter table audit_events disable trigger audit_events_append_only")).toMatch(/must be owner/);
    expect(await refused("alter table audit_chain_head disable trigger audit_chain_head_guard")).toMatch(/must be owner/);
    expect(await refused("drop trigger audit_events_append_only on audit_events")).toMatch(/must be owner/);
    expect(await refused("drop table audit_events")).toMatch(/must be owner/);
    expect(
      await refused(
        "create or replace function audit_events_append_only() returns trigger language plpgsql as $$ begin return new; end $$",
      ),
    ).toMatch(/must be owner|permission denied/);
    expect(await refused("alter table audit_events owner to current_user")).toMatch(/must be owner/);
  });

  it("cannot prune the audit trail; the owner can", async () => {
    const cutoff = new Date(Date.now() + 86_400_000);
    const error = await pruneAuditTrail(runtime.db, { cutoff, retentionDays: 1 }).catch((e: unknown) => e);
    expect(permissionDenied(error)).toBe(true);
    const pruned = await pruneAuditTrail(owner.db, { cutoff, retentionDays: 1 });
    expect(pruned.batches).toBeGreaterThanOrEqual(1); // nothing old enough yet, but the run is recorded
  });

  it("starts without migrating when the database is up to date, and says how to migrate when it is not", async () => {
    const again = await openDb({ databaseUrl: runtimeUrl });
    await again.close();
    await owner.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
    );
    await expect(openDb({ databaseUrl: runtimeUrl })).rejects.toThrow(/MIGRATION_DATABASE_URL/);
  });
});
