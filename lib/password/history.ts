// The reuse rule's data: an account's recent history rows, and "does this password match any of these Argon2 hashes?",
// verified in rounds as wide as libuv's thread pool (where @node-rs/argon2 runs, off the event loop) and stopped at the
// round with the first match — a refused reuse costs only the rounds up to it; a new password is checked against all.
import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db/client";
import { passwordHistory } from "@/lib/db/schema";
import { verifyPassword } from "./hash";

/** Argon2 verifications at once: libuv's pool size (UV_THREADPOOL_SIZE, 4 by default), so none waits behind another. */
const ROUND = Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);

export type HistoryRow = { passwordHash: string; skeletonHash: string | null };

/** The account's last `depth` passwords (newest first) in one query: their Argon2 and skeleton hashes. */
export async function recentHistory(db: Db | Tx, userId: string, depth: number): Promise<HistoryRow[]> {
  if (depth <= 0) return [];
  return db
    .select({ passwordHash: passwordHistory.passwordHash, skeletonHash: passwordHistory.skeletonHash })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, userId))
    .orderBy(desc(passwordHistory.createdAt), desc(passwordHistory.id))
    .limit(depth);
}

/** True when the password matches one of the hashes; newest first, a round of verifications at a time. */
export async function matchesAny(hashes: readonly string[], password: string): Promise<boolean> {
  for (let i = 0; i < hashes.length; i += ROUND) {
    const round = await Promise.all(hashes.slice(i, i + ROUND).map((h) => verifyPassword(h, password)));
    if (round.some(Boolean)) return true;
  }
  return false;
}
