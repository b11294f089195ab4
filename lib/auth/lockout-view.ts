// The portal's own lockout of an account as an administrator sees it (stores with lockout "portal"): locked or not at a
// moment, until when, and the failures counted (an expired lock counts as none; the counter restarts at the next sign-in).
import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { lockView, type LockView } from "./lockout";

export async function portalLockView(db: Db, accountId: string, now: Date): Promise<LockView | null> {
  const [row] = await db
    .select({ failedSignIns: users.failedSignIns, lockedAt: users.lockedAt, lockedUntil: users.lockedUntil })
    .from(users)
    .where(eq(users.id, accountId))
    .limit(1);
  return row ? lockView(row, now) : null;
}
