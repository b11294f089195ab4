// Portal sessions kept on the server (user_sessions): the sealed cookie carries only a random token; whether it still
// signs someone in is decided here on every request. Sign-out, a password change (self-service reset, an operator's
// new password) and the session's lifetime end it, so a copied cookie stops working. Works the same for every account
// store: a session refers to the account's Toegang id, not to a users row.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import type { Account, AccountStore } from "@/lib/accounts/types";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { adminSessions, userSessions } from "@/lib/db/schema";
import { hashToken, newToken } from "@/lib/security/token";

export type SessionEndReason = "signed-out" | "password-changed" | "account-gone" | "expired" | "helpdesk";

/** Opens a session for a signed-in account; returns the token for the cookie (only its hash is stored). */
export async function openUserSession(db: Db | Tx, accountId: string, now = new Date()): Promise<{ id: string; token: string }> {
  const { token, tokenHash } = newToken();
  const [row] = await db
    .insert(userSessions)
    .values({ tokenHash, accountId, createdAt: now, expiresAt: new Date(now.getTime() + getConfig().userSessionHours * 3600_000) })
    .returning({ id: userSessions.id });
  return { id: row!.id, token };
}

export type LiveSession = { id: string; account: Account };

/**
 * The live session behind a cookie's token and its account as the store sees it now; null when there is no such
 * session, it ended, its lifetime is over (ended here as expired) or the account is gone or disabled (ended too).
 * A directory that cannot be reached throws AccountStoreUnavailable (the page answers 503; the session stays).
 */
export async function loadUserSession(
  db: Db,
  token: string | null | undefined,
  options: { now?: Date; accounts?: AccountStore } = {},
): Promise<LiveSession | null> {
  if (!token) return null;
  const now = options.now ?? new Date();
  const [row] = await db
    .select()
    .from(userSessions)
    .where(eq(userSessions.tokenHash, hashToken(token)))
    .limit(1);
  if (!row || row.endedAt) return null;
  if (row.expiresAt <= now) {
    await endSession(db, row.id, "expired", now);
    return null;
  }
  const account = await (options.accounts ?? getAccountStore(db)).get(row.accountId);
  if (!account) {
    await endSession(db, row.id, "account-gone", now);
    return null;
  }
  return { id: row.id, account };
}

/** Ends one session (sign-out); false when it had already ended. */
export async function endUserSession(db: Db | Tx, token: string, reason: SessionEndReason, now = new Date()): Promise<string | null> {
  const [row] = await db
    .update(userSessions)
    .set({ endedAt: now, endedReason: reason })
    .where(and(eq(userSessions.tokenHash, hashToken(token)), isNull(userSessions.endedAt)))
    .returning({ accountId: userSessions.accountId });
  return row?.accountId ?? null;
}

async function endSession(db: Db | Tx, id: string, reason: SessionEndReason, now: Date): Promise<void> {
  await db
    .update(userSessions)
    .set({ endedAt: now, endedReason: reason })
    .where(and(eq(userSessions.id, id), isNull(userSessions.endedAt)));
}

/**
 * Ends every session of an account, portal and admin alike, and any admin sign-in halfway through its code step: pass
 * the transaction of the change that ends them (a password reset, an operator's new password), so both commit together.
 */
export async function endAllSessions(db: Db | Tx, accountId: string, reason: SessionEndReason = "password-changed", now = new Date()) {
  await db
    .update(userSessions)
    .set({ endedAt: now, endedReason: reason })
    .where(and(eq(userSessions.accountId, accountId), isNull(userSessions.endedAt)));
  await db
    .update(adminSessions)
    .set({ stage: "ended", endedAt: now, endedReason: reason })
    .where(and(eq(adminSessions.userId, accountId), isNull(adminSessions.endedAt)));
}
