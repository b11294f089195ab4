// Test helpers for server-side sessions: open one for an account, count the account's sessions still live.
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { userSessions } from "@/lib/db/schema";

export { openUserSession } from "@/lib/auth/sessions";

/** How many portal sessions of the account have not ended. */
export async function liveSessions(db: Db, accountId: string): Promise<number> {
  const rows = await db
    .select({ id: userSessions.id })
    .from(userSessions)
    .where(and(eq(userSessions.accountId, accountId), isNull(userSessions.endedAt)));
  return rows.length;
}
