// The reuse rule: a new password must not match any of the user's recent password hashes (checked in parallel).
import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db/client";
import { passwordHistory } from "@/lib/db/schema";
import { verifyPassword } from "./hash";

export const HISTORY_DEPTH = 24;

export async function wasUsedBefore(db: Db | Tx, userId: string, password: string, depth = HISTORY_DEPTH): Promise<boolean> {
  const rows = await db
    .select({ hash: passwordHistory.passwordHash })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, userId))
    .orderBy(desc(passwordHistory.createdAt), desc(passwordHistory.id))
    .limit(depth);
  const matches = await Promise.all(rows.map((r) => verifyPassword(r.hash, password)));
  return matches.some(Boolean);
}
