// Retention (`npm run audit -- prune`): deletes the oldest audit rows in batches, each batch recorded by an audit.pruned
// row in the same transaction so the chain stays verifiable from the first kept row; also clears expired housekeeping.
import "server-only";
import { and, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { adminSessions, outboxMessages, phantomSignIns, recoveryFlows, usedCaptchas, userSessions } from "@/lib/db/schema";
import { pruneLimits } from "@/lib/limits/rate-limit";
import { recordAudit } from "./record";

export const PRUNE_BATCH = 10_000;
/** Serialises prune runs (the migrations use 727001). */
const PRUNE_LOCK = 727_002;

export type AuditPruneResult = {
  deleted: number;
  batches: number;
  /** The last row deleted: the first kept row links to this hash. */
  lastDeleted: { seq: number; hash: string } | null;
};

/**
 * Deletes audit rows older than `cutoff`, oldest first: the longest front part of the chain (in seq order) whose rows
 * are all older. Only a front part can go (a gap in the middle would be indistinguishable from tampering), so an old row
 * sealed after a newer one — a long transaction's, or one written with an explicit time — waits for a later run.
 * Each batch reads the chain's front through the seq index and stops at the first row to keep. Every batch commits together with its
 * audit.pruned row (count, cutoff, first and last deleted seq, the last deleted row's hash), so at no moment is a
 * deletion unaccounted for. A run that finds nothing to delete records that too. Rows of the last day are never deleted,
 * whatever the cutoff: the database refuses that (drizzle/0009), so recent events cannot be made to disappear.
 */
export async function pruneAuditTrail(
  db: Db,
  options: { cutoff: Date; retentionDays: number; batchSize?: number },
): Promise<AuditPruneResult> {
  const batchSize = options.batchSize ?? PRUNE_BATCH;
  const cutoff = options.cutoff.toISOString();
  const result: AuditPruneResult = { deleted: 0, batches: 0, lastDeleted: null };
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${PRUNE_LOCK})`);
      // The retention job's one permission (drizzle/0001): DELETE on audit_events, for this transaction only.
      await tx.execute(sql`select set_config('toegang.audit_prune', 'on', true)`);
      const gone = rowsOf<{ first_seq: string | null; last_seq: string | null; last_hash: string | null; n: string }>(
        await tx.execute(sql`
          with front as (
            select seq, at from audit_events where seq is not null order by seq limit ${batchSize}
          ), keep as (
            select min(seq) as seq from front where at >= least(${cutoff}::timestamptz, now() - interval '1 day')
          ), gone as (
            delete from audit_events
            where seq in (select seq from front where (select seq from keep) is null or seq < (select seq from keep))
            returning seq, hash
          )
          select min(seq)::text as first_seq, max(seq)::text as last_seq,
            (select gone.hash from gone order by gone.seq desc limit 1) as last_hash, count(*)::text as n
          from gone`),
      )[0]!;
      await tx.execute(sql`select set_config('toegang.audit_prune', 'off', true)`);
      const n = Number(gone.n);
      if (n === 0 && result.batches > 0) return null;
      await recordPruned(tx, {
        count: n,
        cutoff,
        retentionDays: options.retentionDays,
        firstDeletedSeq: gone.first_seq === null ? null : Number(gone.first_seq),
        lastDeletedSeq: gone.last_seq === null ? null : Number(gone.last_seq),
        lastDeletedHash: gone.last_hash,
      });
      return { n, lastSeq: gone.last_seq, lastHash: gone.last_hash };
    });
    if (!batch) break;
    result.batches += 1;
    result.deleted += batch.n;
    if (batch.n > 0) result.lastDeleted = { seq: Number(batch.lastSeq), hash: batch.lastHash! };
    if (batch.n < batchSize) break;
  }
  return result;
}

function recordPruned(tx: Tx, details: Record<string, string | number | null>) {
  return recordAudit(tx, { event: "audit.pruned", outcome: "info", reason: "retention", details });
}

export type HousekeepingResult = {
  rateLimits: number;
  usedCaptchas: number;
  phantomSignIns: number;
  recoveryFlows: number;
  adminSessions: number;
  userSessions: number;
  outboxMessages: number;
};

/** Outbox rows hold message texts (with the outbox transport, codes); delivery reports come within days. */
const OUTBOX_KEEP_MS = 7 * 86_400_000;

/**
 * Removes state nothing needs any more: rate-limit windows and CAPTCHA nonces an hour past their end (an expired
 * challenge is refused before its nonce is looked at), sign-in counters of unknown IDs untouched since the cutoff and
 * not locked, recovery flows that expired before the cutoff (their verification codes, hashes only, go with them), admin
 * sign-ins and sessions and portal sessions a day past their end, and outbox messages older than a week.
 * The audit trail keeps flow ids as text, so the timelines of removed flows survive.
 */
export async function pruneHousekeeping(db: Db | Tx, options: { cutoff: Date; now?: Date }): Promise<HousekeepingResult> {
  const now = options.now ?? new Date();
  const hourAgo = new Date(now.getTime() - 3600_000);
  const result: HousekeepingResult = {
    rateLimits: await pruneLimits(db, now),
    usedCaptchas: (await db.delete(usedCaptchas).where(lt(usedCaptchas.expiresAt, hourAgo)).returning({ nonce: usedCaptchas.nonce }))
      .length,
    phantomSignIns: (
      await db
        .delete(phantomSignIns)
        .where(and(lt(phantomSignIns.updatedAt, options.cutoff), or(isNull(phantomSignIns.lockedAt), lt(phantomSignIns.lockedUntil, now))))
        .returning({ idHash: phantomSignIns.idHash })
    ).length,
    recoveryFlows: 0,
    adminSessions: (
      await db
        .delete(adminSessions)
        .where(lt(adminSessions.expiresAt, new Date(now.getTime() - 86_400_000)))
        .returning({ id: adminSessions.id })
    ).length,
    userSessions: (
      await db
        .delete(userSessions)
        .where(lt(userSessions.expiresAt, new Date(now.getTime() - 86_400_000)))
        .returning({ id: userSessions.id })
    ).length,
    outboxMessages: (
      await db
        .delete(outboxMessages)
        .where(lt(outboxMessages.createdAt, new Date(now.getTime() - OUTBOX_KEEP_MS)))
        .returning({ id: outboxMessages.id })
    ).length,
  };
  for (;;) {
    const stale = db
      .select({ id: recoveryFlows.id })
      .from(recoveryFlows)
      .where(lt(recoveryFlows.expiresAt, options.cutoff))
      .limit(PRUNE_BATCH);
    const gone = await db.delete(recoveryFlows).where(inArray(recoveryFlows.id, stale)).returning({ id: recoveryFlows.id });
    result.recoveryFlows += gone.length;
    if (gone.length < PRUNE_BATCH) break;
  }
  if (Object.values(result).some((n) => n > 0)) {
    await recordAudit(db, {
      event: "housekeeping.pruned",
      outcome: "info",
      reason: "retention",
      details: { ...result, cutoff: options.cutoff.toISOString() },
    });
  }
  return result;
}
