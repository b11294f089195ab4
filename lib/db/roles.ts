// Two database roles on PostgreSQL: the owner migrates and prunes; the portal's runtime role does its daily work but can
// only add to the audit trail — no UPDATE, DELETE or TRUNCATE of audit rows, no write to the chain head, and (not being
// the owner) no ALTER, DISABLE TRIGGER or DROP. PGlite has one role, as before.
import "server-only";
import type { Sql } from "postgres";

/** The statements that give `role` the runtime rights (safe to run again; they also take back anything more). */
export function runtimeGrants(role: string): string[] {
  const r = quoteIdent(role);
  return [
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    // The audit trail: read and append only; its head is moved by the seal trigger, which runs as the owner.
    `REVOKE UPDATE, DELETE ON audit_events FROM ${r}`,
    `REVOKE INSERT, UPDATE, DELETE ON audit_chain_head FROM ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    // The portal checks at start that the migrations are applied (it applies none itself as this role).
    `GRANT USAGE ON SCHEMA drizzle TO ${r}`,
    `GRANT SELECT ON drizzle.__drizzle_migrations TO ${r}`,
  ];
}

/** Whether a database error (or the driver error drizzle wraps in `cause`) is PostgreSQL refusing a privilege. */
export function permissionDenied(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "42501") return true;
  }
  return false;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The user a postgres:// URL connects as (postgres.js defaults to the OS user, as libpq does). */
export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || process.env.PGUSER || process.env.USER || "postgres";
}

export type GrantReport = { role: string; warnings: string[] };

/**
 * Gives the runtime role its rights, over the owner's connection. Refuses a role that owns the tables or is a superuser
 * (the audit guards would mean nothing), and warns when it may create objects in the schema.
 */
export async function grantRuntimeRole(owner: Sql, role: string): Promise<GrantReport> {
  const [info] = await owner<{ exists: boolean; superuser: boolean; owns: boolean; create: boolean }[]>`
    select
      exists(select 1 from pg_roles where rolname = ${role}) as exists,
      coalesce((select rolsuper from pg_roles where rolname = ${role}), false) as superuser,
      exists(select 1 from pg_tables where schemaname = 'public' and tablename = 'audit_events' and tableowner = ${role}) as owns,
      coalesce((select has_schema_privilege(${role}, 'public', 'CREATE') from pg_roles where rolname = ${role}), false) as create`;
  if (!info?.exists) throw new Error(`there is no database role ${role}; create it first (README: Running on PostgreSQL)`);
  if (info.superuser) throw new Error(`${role} is a superuser: the portal's runtime role must be an ordinary role`);
  if (info.owns) throw new Error(`${role} owns the tables: the runtime role must be another role than the one that migrates`);
  await owner.begin(async (tx) => {
    for (const statement of runtimeGrants(role)) await tx.unsafe(statement);
  });
  const warnings = info.create
    ? [`${role} may create objects in schema public (PostgreSQL before 15 allows everyone): REVOKE CREATE ON SCHEMA public FROM PUBLIC`]
    : [];
  return { role, warnings };
}
