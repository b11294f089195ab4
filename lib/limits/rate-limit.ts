// Database-backed fixed-window rate limits, shared by every app instance: one atomic upsert per hit.
import "server-only";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";

export type Limit = { name: string; max: number; windowSeconds: number };
export type LimitResult = { allowed: true; count: number } | { allowed: false; count: number; retryAt: Date };

// postgres.js cannot bind a Date inside a raw sql fragment (drizzle maps only column values), so send ISO text and cast it.
const timestamptz = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Counts one hit against key; the hit that goes over max is refused (and so is every later one in the window). */
export async function hitLimit(db: Db | Tx, limit: Limit, subject: string, now = new Date()): Promise<LimitResult> {
  const key = `${limit.name}:${subject}`;
  const windowEnd = new Date(now.getTime() + limit.windowSeconds * 1000);
  const [nowTs, endTs] = [timestamptz(now), timestamptz(windowEnd)];
  const [row] = await db
    .insert(rateLimits)
    .values({ key, count: 1, windowStart: now, expiresAt: windowEnd })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.expiresAt} <= ${nowTs} then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${rateLimits.expiresAt} <= ${nowTs} then ${nowTs} else ${rateLimits.windowStart} end`,
        expiresAt: sql`case when ${rateLimits.expiresAt} <= ${nowTs} then ${endTs} else ${rateLimits.expiresAt} end`,
      },
    })
    .returning({ count: rateLimits.count, expiresAt: rateLimits.expiresAt });
  return row!.count <= limit.max ? { allowed: true, count: row!.count } : { allowed: false, count: row!.count, retryAt: row!.expiresAt };
}

/** Whether key is already at or over max, without counting a hit. */
export async function checkLimit(db: Db | Tx, limit: Limit, subject: string, now = new Date()): Promise<LimitResult> {
  const key = `${limit.name}:${subject}`;
  const [row] = await db
    .select({ count: rateLimits.count, expiresAt: rateLimits.expiresAt })
    .from(rateLimits)
    .where(and(eq(rateLimits.key, key), gt(rateLimits.expiresAt, now)))
    .limit(1);
  if (!row || row.count < limit.max) return { allowed: true, count: row?.count ?? 0 };
  return { allowed: false, count: row.count, retryAt: row.expiresAt };
}

/** Drops windows that ended long ago (`npm run audit -- prune` calls it); returns how many. */
export async function pruneLimits(db: Db | Tx, now = new Date()): Promise<number> {
  const gone = await db
    .delete(rateLimits)
    .where(lt(rateLimits.expiresAt, new Date(now.getTime() - 3600_000)))
    .returning({ key: rateLimits.key });
  return gone.length;
}
