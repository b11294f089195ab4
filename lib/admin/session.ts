// The admin session: a sealed cookie holding only a random token; stage and timeouts live in the database, the
// account and its admin role in the account store (a password change ends the session: lib/auth/sessions.ts).
import "server-only";
import { and, eq } from "drizzle-orm";
import { getIronSession } from "iron-session";
import { cookies } from "next/headers";
import { getAccountStore } from "@/lib/accounts";
import type { AccountStore } from "@/lib/accounts/types";
import { recordAudit, type AuditEvent } from "@/lib/audit/record";
import { cookieName, sealedCookieOptions, sessionPasswords } from "@/lib/auth/session";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { adminSessions } from "@/lib/db/schema";
import type { RequestContext } from "@/lib/security/request-context";
import { hashToken } from "@/lib/security/token";
import { sessionExpiry } from "./rules";

export type AdminIdentity = { userId: string; email: string; displayName: string };

type AdminCookie = { token?: string };

/** The cookie outlives neither the pending step nor the absolute session limit; the database decides either way. */
export async function getAdminCookie() {
  return getIronSession<AdminCookie>(await cookies(), {
    cookieName: cookieName("toegang-admin"),
    password: sessionPasswords(),
    ttl: getConfig().admin.sessionHours * 3600,
    cookieOptions: sealedCookieOptions(),
  });
}

export type AdminCtx = { context: RequestContext; now?: Date };

/** One audit row of the admin area, with who asked and from where. */
export function auditAdmin(db: Db | Tx, ctx: AdminCtx, e: AdminAudit) {
  return recordAudit(db, adminAuditEvent(ctx, e));
}

/** An admin-area audit row: what happened and to whom; the request (IP, browser, locale) and time are filled in. */
export type AdminAudit = Pick<AuditEvent, "event" | "outcome" | "reason" | "userId" | "subjectHash" | "flowId" | "details">;

export function adminAuditEvent(ctx: AdminCtx, e: AdminAudit): AuditEvent {
  return { ...e, ip: ctx.context.ip, userAgent: ctx.context.userAgent, locale: ctx.context.locale, at: ctx.now };
}

/** How stale a live session's lastSeenAt may be before a request writes it again (checkAdminSession). */
export const SEEN_WRITE_INTERVAL_MS = 60_000;

export type SessionCheck =
  | { kind: "none" }
  | { kind: "ended"; reason: string }
  | { kind: "not-admin"; userId: string }
  | { kind: "active"; sessionId: string; identity: AdminIdentity };

/**
 * Whether the token belongs to a live admin session, checked on every request: idle and absolute timeouts, the account
 * still there and still an administrator. A session found over is ended here (audited once); a live one is marked seen now.
 */
export async function checkAdminSession(
  db: Db,
  token: string | null | undefined,
  ctx: AdminCtx & { accounts?: AccountStore },
): Promise<SessionCheck> {
  if (!token) return { kind: "none" };
  const now = ctx.now ?? new Date();
  const [row] = await db
    .select({
      id: adminSessions.id,
      stage: adminSessions.stage,
      endedReason: adminSessions.endedReason,
      signedInAt: adminSessions.signedInAt,
      lastSeenAt: adminSessions.lastSeenAt,
      userId: adminSessions.userId,
    })
    .from(adminSessions)
    .where(eq(adminSessions.tokenHash, hashToken(token)))
    .limit(1);
  // A token halfway through sign-in (stage "code") is not signed in yet.
  if (!row || row.stage === "code") return row ? { kind: "none" } : { kind: "ended", reason: "unknown" };
  if (row.stage !== "active") return { kind: "ended", reason: row.endedReason ?? "ended" };

  const timedOut = sessionExpiry({ signedInAt: row.signedInAt!, lastSeenAt: row.lastSeenAt! }, now, getConfig().admin);
  // The account as its store sees it now (a directory: its admin group membership too); gone or disabled ends the session.
  const account = timedOut ? null : await (ctx.accounts ?? getAccountStore(db)).get(row.userId);
  const reason = timedOut ?? (!account ? "account-gone" : !account.isAdmin ? "admin-revoked" : null);
  if (reason || !account) {
    await endAdminSession(db, row.id, row.userId, reason ?? "account-gone", ctx);
    return reason === "admin-revoked" ? { kind: "not-admin", userId: row.userId } : { kind: "ended", reason: reason ?? "account-gone" };
  }
  // Marked seen at most once a minute: a page view seldom writes (a commit per admin page was a fifth of the audit
  // page's server time), and the idle timeout can only end a session up to a minute early, never late.
  if (now.getTime() - row.lastSeenAt!.getTime() >= SEEN_WRITE_INTERVAL_MS) {
    await db
      .update(adminSessions)
      .set({ lastSeenAt: now })
      .where(and(eq(adminSessions.id, row.id), eq(adminSessions.stage, "active")));
  }
  return {
    kind: "active",
    sessionId: row.id,
    identity: { userId: row.userId, email: account.userId, displayName: `${account.firstName} ${account.lastName}` },
  };
}

/** Ends a live session once; the audit row says why (signed-out is audited by the caller, everything else as expired). */
export async function endAdminSession(db: Db, sessionId: string, userId: string, reason: string, ctx: AdminCtx): Promise<boolean> {
  const now = ctx.now ?? new Date();
  return db.transaction(async (tx) => {
    const ended = await tx
      .update(adminSessions)
      .set({ stage: "ended", endedAt: now, endedReason: reason })
      .where(and(eq(adminSessions.id, sessionId), eq(adminSessions.stage, "active")))
      .returning({ id: adminSessions.id });
    if (!ended.length) return false;
    await auditAdmin(
      tx,
      ctx,
      reason === "signed-out"
        ? { event: "admin.signed_out", outcome: "success", userId, flowId: sessionId }
        : { event: "admin.session_expired", outcome: "info", reason, userId, flowId: sessionId },
    );
    return true;
  });
}
