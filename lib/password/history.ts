// The reuse rule: a new password must not match any of the user's recent password hashes (checked in parallel).
import "server-only";
import { desc, eq } from "drizzle-orm";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { passwordHistory } from "@/lib/db/schema";
import { verifyPassword } from "./hash";

/** Depth defaults to PASSWORD_HISTORY (24); 0 switches the rule off. */
export async function wasUsedBefore(
  db: Db | Tx,
  userId: string,
  password: string,
  depth = getConfig().recovery.passwordHistory,
): Promise<boolean> {
  if (depth <= 0) return false;
  const rows = await db
    .select({ hash: passwordHistory.passwordHash })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, userId))
    .orderBy(desc(passwordHistory.createdAt), desc(passwordHistory.id))
    .limit(depth);
  const matches = await Promise.all(rows.map((r) => verifyPassword(r.hash, password)));
  return matches.some(Boolean);
}
