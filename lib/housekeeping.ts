// Housekeeping without cron: the portal clears expired state itself on a timer (HOUSEKEEPING_INTERVAL_MINUTES).
// Expired rate-limit windows and CAPTCHA nonces, sign-in counters of unknown user IDs, ended flows and sessions
// (lib/audit/prune.ts, pruneHousekeeping) go; audit retention stays the explicit `npm run audit -- prune`.
// Several instances on one database: a transaction-level advisory lock lets one of them run at a time; the others skip
// that round. Within one process, rounds never overlap, and the shutdown waits for a running one.
import "server-only";
import { sql } from "drizzle-orm";
import { pruneHousekeeping, type HousekeepingResult } from "@/lib/audit/prune";
import type { Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { onShutdown } from "@/lib/server-bridge";

/** Serialises housekeeping across instances (727001: migrations, 727002: audit prune). */
export const HOUSEKEEPING_LOCK = 727_003;

/**
 * How long state strangers can fill is kept once it stops counting: a day. Rate-limit windows and nonces go an hour
 * after their end anyway; this is for counters of unknown user IDs (unless they are locking now) and expired flows.
 */
const KEEP_MS = 86_400_000;

/** One round: null when another instance holds the lock (it is doing this round's work). */
export async function housekeepingRound(db: Db, now = new Date()): Promise<HousekeepingResult | null> {
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ locked: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(${HOUSEKEEPING_LOCK}) as locked`));
    if (!row?.locked) return null;
    return pruneHousekeeping(tx, { cutoff: new Date(now.getTime() - KEEP_MS), now });
  });
}

export type HousekeepingTimer = { stop(): Promise<void>; running(): Promise<void> | null };

/** Starts the rounds: the first a minute after start (with jitter, so instances started together spread out). */
export function startHousekeeping(db: Db, intervalMinutes: number, log: (line: string, error?: unknown) => void): HousekeepingTimer {
  let current: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = () => {
    if (current || stopped) return;
    current = housekeepingRound(db)
      .then((result) => {
        if (!result) return;
        const removed = Object.entries(result).filter(([, n]) => n > 0);
        if (removed.length) log(`housekeeping: removed ${removed.map(([what, n]) => `${n} ${what}`).join(", ")}`);
      })
      .catch((error: unknown) => log("housekeeping round failed", error))
      .finally(() => {
        current = null;
      });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      round();
      if (!stopped) schedule(intervalMinutes * 60_000);
    }, ms);
    timer.unref();
  };
  schedule(60_000 + Math.floor(Math.random() * 30_000));
  const handle: HousekeepingTimer = {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
    running: () => current,
  };
  onShutdown("housekeeping", () => handle.stop());
  return handle;
}
