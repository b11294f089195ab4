// The move from the embedded database to PostgreSQL (`npm run db -- copy-to postgres://…`): every table, every row,
// as it is — users and their password history, recovery flows still open, admin sessions, rate-limit windows, the
// outbox, and the audit trail with its hash chain unchanged (each row keeps its id, time, seq, prev_hash and hash, and
// the chain head moves with it, so `npm run audit -- verify` gives the same head on the copy and new rows link on).
//
// How the audit rows get in: the database seals every inserted audit row itself and refuses rows that arrive sealed
// (drizzle/0008, 0009, 0012), which is right for the portal and wrong for a copy whose links already exist — and a
// pruned trail could not be re-sealed at all (its first row links to a deleted one). So the copy connects as the
// tables' owner, and inside its one transaction switches off exactly the three triggers that seal and guard
// (audit_events_insert_unsealed, audit_events_seal, audit_chain_head_guard), copies, switches them on again and checks
// every copied row's hash and link before it commits. ALTER TABLE locks the tables for the transaction, so no other
// session ever sees the triggers off, and a failure anywhere rolls everything back, the trigger switch included.
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import postgres from "postgres";
import { verifyChain } from "@/lib/audit/chain";
import { openDb, type Db } from "./client";
import { permissionDenied, quoteIdent, userOf } from "./roles";
import { rowsOf } from "./rows";
import { tableCounts } from "./backup";

/** Rows per INSERT: large enough to be quick, small enough that one batch's JSON stays a few megabytes. */
const BATCH = 2_000;

const SWITCHED_OFF: Array<[table: string, trigger: string]> = [
  ["audit_events", "audit_events_insert_unsealed"],
  ["audit_events", "audit_events_seal"],
  ["audit_chain_head", "audit_chain_head_guard"],
];

export type CopyResult = { tables: Record<string, number>; auditHead: { seq: number; hash: string } };

type TableInfo = { name: string; key: string; keyType: string };

/** The public tables with their one-column primary keys, parents before the tables whose foreign keys point at them. */
async function tablesInOrder(db: Db): Promise<TableInfo[]> {
  const tables = rowsOf<{ name: string; key: string | null; key_type: string | null; keys: string }>(
    await db.execute(sql`
      select c.relname as name,
        (select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
          where i.indrelid = c.oid and i.indisprimary and i.indnkeyatts = 1) as key,
        (select format_type(a.atttypid, a.atttypmod) from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
          where i.indrelid = c.oid and i.indisprimary and i.indnkeyatts = 1) as key_type,
        (select count(*) from pg_index i where i.indrelid = c.oid and i.indisprimary)::text as keys
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by c.relname`),
  );
  const parents = rowsOf<{ child: string; parent: string }>(
    await db.execute(sql`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = 'public'`),
  );
  for (const t of tables) {
    if (!t.key || !t.key_type) throw new Error(`table ${t.name} has no one-column primary key; the copy cannot page through it`);
  }
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter(
      (t) => !placed.has(t.name) && parents.every((p) => p.child !== t.name || p.parent === t.name || placed.has(p.parent)),
    );
    if (!ready.length) throw new Error("the tables' foreign keys form a cycle; the copy cannot order them");
    for (const t of ready) {
      placed.add(t.name);
      ordered.push({ name: t.name, key: t.key!, keyType: t.key_type! });
    }
  }
  return ordered;
}

/** The target's tables that hold rows (the chain head counts only once it has moved). */
async function nonEmptyTables(target: postgres.Sql, tables: TableInfo[]): Promise<string[]> {
  const full: string[] = [];
  for (const t of tables) {
    const where = t.name === "audit_chain_head" ? " where seq <> 0" : "";
    const [row] = await target.unsafe<{ n: string }[]>(`select count(*)::text as n from ${quoteIdent(t.name)}${where}`);
    if (Number(row!.n) > 0) full.push(t.name);
  }
  return full;
}

/**
 * Copies everything from `source` (the embedded database, opened and migrated, which nothing else can write meanwhile)
 * into the empty PostgreSQL database at `targetUrl`, which it migrates first. `targetUrl` must connect as the role that
 * is to own the tables (the MIGRATION_DATABASE_URL of the new setup). Refuses a target that holds any rows.
 */
export async function copyToPostgres(
  source: Db,
  targetUrl: string,
  options: { onTable?: (name: string, rows: number) => void } = {},
): Promise<CopyResult> {
  const sourceAudit = await verifyChain(source);
  if (!sourceAudit.ok) {
    throw new Error(
      `the embedded database's audit trail does not verify (${sourceAudit.problem.kind}: ${sourceAudit.problem.detail}); fix that first`,
    );
  }
  const tables = await tablesInOrder(source);
  const counts = await tableCounts(source);

  // The same migrations as the source; as the owner, and nobody else is granted anything yet.
  const notOwner = () =>
    new Error(`${userOf(targetUrl)} does not own the tables: copy-to must connect as the owner (the new MIGRATION_DATABASE_URL)`);
  const migrated = await openDb({ databaseUrl: targetUrl, migrationUrl: targetUrl }).catch((error: unknown) => {
    throw permissionDenied(error) ? notOwner() : error;
  });
  await migrated.close();

  const target = postgres(targetUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const targetTables = (
      await target<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by tablename`
    ).map((r) => r.name);
    const missing = tables.map((t) => t.name).filter((n) => !targetTables.includes(n));
    const extra = targetTables.filter((n) => !tables.some((t) => t.name === n));
    if (missing.length || extra.length) {
      throw new Error(
        `the target's tables differ from the embedded database's (${[...missing, ...extra].join(", ")}): is it another application's database?`,
      );
    }
    const full = await nonEmptyTables(target, tables);
    if (full.length) throw new Error(`the target database is not empty (rows in ${full.join(", ")}); copy-to only fills an empty database`);

    await target.begin(async (tx) => {
      for (const [table, trigger] of SWITCHED_OFF) {
        await tx.unsafe(`alter table ${quoteIdent(table)} disable trigger ${quoteIdent(trigger)}`).catch((error: unknown) => {
          if (!permissionDenied(error)) throw error;
          throw new Error(
            `${userOf(targetUrl)} does not own the tables: copy-to must connect as the owner (the new MIGRATION_DATABASE_URL)`,
          );
        });
      }
      for (const t of tables) {
        const name = quoteIdent(t.name);
        let copied = 0;
        if (t.name === "audit_chain_head") {
          const [head] = rowsOf<{ json: string }>(await source.execute(sql.raw(`select row_to_json(h)::text as json from ${name} h`)));
          if (head) {
            await tx.unsafe(
              `update ${name} h set seq = s.seq, hash = s.hash from json_populate_record(null::${name}, $1::text::json) s where h.id = s.id`,
              [head.json],
            );
            copied = 1;
          }
        } else {
          let after: string | null = null;
          for (;;) {
            const key = quoteIdent(t.key);
            const where: SQL = after === null ? sql.raw("") : sql`where ${sql.raw(key)} > ${after}::${sql.raw(t.keyType)}`;
            const [batch]: Array<{ json: string | null; n: string; last: string | null }> = rowsOf<{
              json: string | null;
              n: string;
              last: string | null;
            }>(
              await source.execute(sql`
                with b as (select * from ${sql.raw(name)} ${where} order by ${sql.raw(key)} limit ${BATCH})
                select json_agg(b order by ${sql.raw(`b.${key}`)})::text as json, count(*)::text as n,
                  (select ${sql.raw(`l.${key}`)}::text from b l order by ${sql.raw(`l.${key}`)} desc limit 1) as last from b`),
            );
            const n = Number(batch!.n);
            if (n === 0) break;
            await tx.unsafe(`insert into ${name} select * from json_populate_recordset(null::${name}, $1::text::json)`, [batch!.json!]);
            copied += n;
            after = batch!.last;
            if (n < BATCH) break;
          }
        }
        options.onTable?.(t.name, copied);
      }
      for (const [table, trigger] of SWITCHED_OFF)
        await tx.unsafe(`alter table ${quoteIdent(table)} enable trigger ${quoteIdent(trigger)}`);

      // Serial columns continue after the copied ids.
      const serials = await tx<{ seq: string; table: string; column: string }[]>`
        select pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) as seq, c.table_name as table, c.column_name as column
        from information_schema.columns c
        where c.table_schema = 'public' and pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) is not null`;
      for (const s of serials) {
        await tx.unsafe(
          `select setval($1::regclass, coalesce((select max(${quoteIdent(s.column)}) from ${quoteIdent(s.table)}), 0) + 1, false)`,
          [s.seq],
        );
      }

      // Nothing commits unless the copy is whole: the same row counts, and every audit row's hash and link as before.
      for (const t of tables) {
        const [row] = await tx.unsafe<{ n: string }[]>(`select count(*)::text as n from ${quoteIdent(t.name)}`);
        if (Number(row!.n) !== counts[t.name]) throw new Error(`copy of ${t.name} incomplete (${row!.n} of ${counts[t.name]} rows)`);
      }
      const [bad] = await tx<{ n: string }[]>`
        select count(*)::text as n from (
          select e.hash is distinct from audit_event_hash(e) as changed,
            e.prev_hash is distinct from lag(e.hash) over (order by e.seq) and lag(e.seq) over (order by e.seq) is not null as unlinked
          from audit_events e) x
        where changed or unlinked`;
      if (Number(bad!.n) !== 0) throw new Error(`${bad!.n} audit rows do not hash or link as in the embedded database`);
    });

    const copy = await openDb({ databaseUrl: targetUrl, migrate: false });
    try {
      const audit = await verifyChain(copy.db);
      if (!audit.ok) throw new Error(`the copy's audit trail does not verify (${audit.problem.kind}: ${audit.problem.detail})`);
      if (audit.head.seq !== sourceAudit.head.seq || audit.head.hash !== sourceAudit.head.hash) {
        throw new Error("the copy's audit chain head differs from the embedded database's");
      }
      return { tables: counts, auditHead: audit.head };
    } finally {
      await copy.close();
    }
  } finally {
    await target.end({ timeout: 5 });
  }
}
