// The audit trail's hash chain: how rows are linked (in the database, drizzle/0008_audit_chain.sql) and the walk that
// checks every link (`npm run audit -- verify`).
//
// Why sealing happens at COMMIT: recordAudit is usually called inside the caller's transaction, after that transaction
// has locked flows, users or counters. A chain needs one writer at a time, so some lock must order the links. Taken at
// INSERT time (a BEFORE INSERT trigger) that lock would be held from the first audit row to the end of the caller's
// transaction, serialising every auditing transaction and deadlocking when one holds the chain and waits for a user
// row that another holds while it waits for the chain. A deferred constraint trigger instead runs when the
// transaction commits, after all its other locks are taken; it locks the one-row audit_chain_head (FOR UPDATE re-reads
// the newest committed head under READ COMMITTED), gives each new row the next seq and its hash, and holds the lock only
// until the commit completes. The holder waits for nothing, so no cycle can form; auditing commits queue for
// milliseconds, not transactions. Every writer is covered (the CLI, every app instance, psql) because the database
// does it. Cost: each audit row is written twice (insert, then the sealing update, which the append-only guard allows
// once, only on an unsealed row and only if its content stays the same).
//
// Canonical serialisation, version 1 (audit_event_canonical): the text
//   toegang-audit-v1|F(seq)|F(prev_hash)|F(id)|F(at)|F(event)|F(outcome)|F(reason)|F(user_id)|F(subject_hash)
//                   |F(flow_id)|F(ip)|F(user_agent)|F(locale)|F(details)
// where F(NULL) = "~" and F(v) = "<length of v in characters>:<v>" (so no value can imitate a separator); numbers in
// decimal; at as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ" (microseconds, independent of TimeZone and DateStyle); user_id as
// PostgreSQL prints a uuid (lower case, hyphens); details as PostgreSQL prints jsonb (keys sorted, ", " and ": ",
// numbers as written) — a normal form that is the same on PostgreSQL 15 and PGlite's 17/18 (chain.test.ts pins it on
// both). hash = lower-case hex SHA-256 of that text in UTF-8. The first row's prev_hash is GENESIS_HASH. A new column
// in audit_events needs a new version of the serialisation (chain.test.ts fails until the list is updated).
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";

export const GENESIS_HASH = "0".repeat(64);

/** The columns the canonical serialisation covers, in its order. */
export const CANONICAL_COLUMNS = [
  "seq",
  "prev_hash",
  "id",
  "at",
  "event",
  "outcome",
  "reason",
  "user_id",
  "subject_hash",
  "flow_id",
  "ip",
  "user_agent",
  "locale",
  "details",
] as const;

export type BreakKind = "content-changed" | "link-broken" | "row-missing" | "not-sealed" | "head-mismatch";

/** The first thing wrong with the chain, located by row (id, seq and time when there is a row to point at). */
export type ChainBreak = { kind: BreakKind; id: number | null; seq: number | null; at: Date | null; detail: string };

export type ChainAnchor =
  | { kind: "empty" }
  | { kind: "genesis" }
  /** Rows before `seq` were pruned; the audit.pruned row `prunedBy` recorded the hash the first kept row links to. */
  | { kind: "pruned"; seq: number; prunedBy: { id: number; seq: number } };

export type VerifyResult =
  { ok: true; rows: number; anchor: ChainAnchor; head: { seq: number; hash: string } } | { ok: false; problem: ChainBreak };

type Row = { id: string; seq: string; at: string; prev_hash: string | null; hash: string | null };

// Times travel as ISO text (the drivers parse timestamptz differently).
const isoAt = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);
const toDate = (iso: string | null) => (iso ? new Date(iso) : null);
const at = (r: { at: string | null }) => toDate(r.at);

/**
 * Walks the whole chain in seq order, `batchSize` rows per query, every hash recomputed in SQL; stops at the first
 * broken link. Runs in one read-only REPEATABLE READ transaction, so rows committed meanwhile do not confuse it.
 */
export async function verifyChain(db: Db, options: { batchSize?: number } = {}): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 50_000;
  return db.transaction(
    async (tx) => {
      const head = await readHead(tx);
      if (!head)
        return broken({ kind: "head-mismatch", id: null, seq: null, at: null, detail: "the chain head (audit_chain_head) is missing" });

      const outside = await oneRow(tx, sql`where e.seq is null order by e.id`);
      if (outside) {
        return broken({
          kind: "not-sealed",
          id: Number(outside.id),
          seq: null,
          at: at(outside),
          detail: "the row is not in the chain (written past the database's triggers)",
        });
      }

      const first = await oneRow(tx, sql`where e.seq is not null order by e.seq`);
      if (!first) {
        if (Number(head.seq) === 0) return { ok: true, rows: 0, anchor: { kind: "empty" }, head: { seq: 0, hash: head.hash } };
        return broken({
          kind: "row-missing",
          id: null,
          seq: Number(head.seq),
          at: null,
          detail: `the table is empty, but the chain head is at seq ${head.seq}`,
        });
      }
      const anchored = await anchorOf(tx, first);
      if ("problem" in anchored) return broken(anchored.problem);

      // Each batch compares every row with the one before it (the last row of the previous batch for the first).
      let carry = { seq: Number(first.seq) - 1, hash: first.prev_hash ?? "" };
      let rows = 0;
      for (;;) {
        const [batch] = rowsOf<{
          n: string;
          last_seq: string | null;
          last_hash: string | null;
          kind: BreakKind | null;
          id: string | null;
          seq: string | null;
          at: string | null;
          detail: string | null;
        }>(
          await tx.execute(sql`
            with b as (
              select e.id, e.seq, e.at, e.prev_hash, e.hash, audit_event_hash(e) as computed
              from audit_events e where e.seq > ${carry.seq} order by e.seq limit ${batchSize}
            ), w as (
              select b.*,
                coalesce(lag(b.seq) over (order by b.seq), ${carry.seq}::bigint) as before_seq,
                coalesce(lag(b.hash) over (order by b.seq), ${carry.hash}::text) as before_hash
              from b
            ), problems as (
              select w.*,
                case
                  when w.seq <> w.before_seq + 1 then 'row-missing'
                  when w.prev_hash is distinct from w.before_hash then 'link-broken'
                  when w.hash is distinct from w.computed then 'content-changed'
                end as kind
              from w
            )
            select
              (select count(*) from b)::text as n,
              (select b.seq::text from b order by b.seq desc limit 1) as last_seq,
              (select b.hash from b order by b.seq desc limit 1) as last_hash,
              p.kind, p.id::text as id, p.seq::text as seq, ${isoAt("p.at")} as at,
              case p.kind
                when 'row-missing' then 'rows with seq ' || (p.before_seq + 1)::text
                  || case when p.seq - 1 > p.before_seq + 1 then '–' || (p.seq - 1)::text else '' end || ' are gone'
                when 'link-broken' then 'its prev_hash is not the hash of the row before it (seq ' || p.before_seq::text || '), which was changed or replaced'
                when 'content-changed' then 'its content no longer matches its hash'
              end as detail
            from (select 1) as one
            left join lateral (select * from problems where problems.kind is not null order by problems.seq limit 1) p on true
          `),
        );
        if (batch!.kind) {
          return broken({
            kind: batch!.kind,
            id: Number(batch!.id),
            seq: Number(batch!.seq),
            at: toDate(batch!.at),
            detail: batch!.detail!,
          });
        }
        const n = Number(batch!.n);
        rows += n;
        if (n < batchSize) break;
        carry = { seq: Number(batch!.last_seq), hash: batch!.last_hash! };
      }
      const last = (await oneRow(tx, sql`where e.seq is not null order by e.seq desc`))!;
      if (Number(last.seq) !== Number(head.seq) || last.hash !== head.hash) {
        const missing = Number(head.seq) > Number(last.seq);
        return broken({
          kind: missing ? "row-missing" : "head-mismatch",
          id: Number(last.id),
          seq: Number(last.seq),
          at: at(last),
          detail: missing
            ? `rows after it are gone: the chain head is at seq ${head.seq}, the last row is seq ${last.seq}`
            : `the chain head (seq ${head.seq}, ${head.hash}) does not match the last row`,
        });
      }
      return { ok: true, rows, anchor: anchored.anchor, head: { seq: Number(head.seq), hash: head.hash } };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** One row as text (the drivers parse bigint and timestamptz differently); `rest` filters and orders by e.*. */
async function oneRow(db: Db | Tx, rest: SQL): Promise<Row | undefined> {
  const result = await db.execute(
    sql`select e.id::text as id, e.seq::text as seq, ${isoAt("e.at")} as at, e.prev_hash, e.hash from audit_events e ${rest} limit 1`,
  );
  return rowsOf<Row>(result)[0];
}

function broken(problem: ChainBreak): VerifyResult {
  return { ok: false, problem };
}

/**
 * Where the chain starts: the genesis hash at seq 1, or — after a prune — the first kept row, whose prev_hash must be
 * the hash an audit.pruned row recorded for the last row it deleted. Rows removed from the front without the prune
 * command leave the anchor unaccounted for, which is reported as missing rows.
 */
async function anchorOf(db: Db | Tx, first: Row): Promise<{ anchor: ChainAnchor } | { problem: ChainBreak }> {
  const seq = Number(first.seq);
  const where = { id: Number(first.id), seq, at: at(first) };
  if (seq === 1) {
    if (first.prev_hash === GENESIS_HASH) return { anchor: { kind: "genesis" } };
    return { problem: { kind: "link-broken", ...where, detail: "the first row of the chain does not start from the genesis hash" } };
  }
  const [record] = rowsOf<{ id: string; seq: string }>(
    await db.execute(sql`
      select e.id::text as id, e.seq::text as seq from audit_events e
      where e.event = 'audit.pruned' and e.details->>'lastDeletedSeq' = ${String(seq - 1)} and e.details->>'lastDeletedHash' = ${first.prev_hash}
      order by e.seq limit 1`),
  );
  if (record) return { anchor: { kind: "pruned", seq, prunedBy: { id: Number(record.id), seq: Number(record.seq) } } };
  return {
    problem: {
      kind: "row-missing",
      ...where,
      detail: `the chain starts at seq ${seq}, but no audit.pruned row accounts for the rows before it`,
    },
  };
}

/** The newest link, for operators to copy somewhere the database's administrators cannot reach. */
export async function chainHead(db: Db): Promise<{ seq: number; hash: string }> {
  const head = await readHead(db);
  if (!head) throw new Error("the audit chain head (audit_chain_head) is missing");
  return { seq: Number(head.seq), hash: head.hash };
}

async function readHead(db: Db | Tx): Promise<{ seq: string; hash: string } | undefined> {
  return rowsOf<{ seq: string; hash: string }>(await db.execute(sql`select seq::text as seq, hash from audit_chain_head`))[0];
}
