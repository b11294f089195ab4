// Sign-in with lockout: checks the password, counts failures per account in the database, and audits every attempt.
import "server-only";
import { eq, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { phantomSignIns, users } from "@/lib/db/schema";
import { verifyAgainstDummy, verifyPassword } from "@/lib/password/hash";
import type { RequestContext } from "@/lib/security/request-context";
import { keyedHash } from "@/lib/security/keyed-hash";
import { userIdKey } from "@/lib/users/normalize";
import { decideSignIn, type LockPolicy, type SignInDecision } from "./lockout";

export type SignInResult =
  { kind: "success"; userId: string; sessionVersion: number; isAdmin: boolean } | { kind: "invalid" } | { kind: "locked" };

type SignInInput = { userId: string; password: string; context: RequestContext; now?: Date; policy?: LockPolicy };

/** Same answers and about the same time for unknown IDs as for real accounts, including the locked answer. */
export async function signIn(db: Db, input: SignInInput): Promise<SignInResult> {
  const now = input.now ?? new Date();
  const policy = input.policy ?? getConfig().lockout;
  const key = userIdKey(input.userId);
  const audit = { ip: input.context.ip, userAgent: input.context.userAgent, locale: input.context.locale };
  const [user] = await db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.emailKey, key)).limit(1);

  if (!user) {
    await verifyAgainstDummy(input.password);
    const idHash = keyedHash("user-id", key);
    const decision = await db.transaction(async (tx) => {
      await tx.insert(phantomSignIns).values({ idHash }).onConflictDoNothing();
      const [row] = await tx.select().from(phantomSignIns).where(eq(phantomSignIns.idHash, idHash)).for("update");
      const d = decideSignIn(row!, false, now, policy);
      if (d.outcome !== "locked") {
        await tx
          .update(phantomSignIns)
          .set({ ...d.next, updatedAt: now })
          .where(eq(phantomSignIns.idHash, idHash));
      }
      await auditSignIn(tx, d, { ...audit, subjectHash: idHash, at: now });
      return d;
    });
    return decision.outcome === "locked" || decision.outcome === "locked-now" ? { kind: "locked" } : { kind: "invalid" };
  }

  const passwordOk = await verifyPassword(user.passwordHash, input.password);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, user.id)).for("update");
    if (!row) return { kind: "invalid" } as const;
    const d = decideSignIn(row, passwordOk, now, policy);
    if (d.outcome !== "locked") {
      await tx
        .update(users)
        .set({ ...d.next, updatedAt: now })
        .where(eq(users.id, user.id));
    }
    await auditSignIn(tx, d, { ...audit, userId: user.id, at: now });
    if (d.outcome === "success") {
      return { kind: "success", userId: row.id, sessionVersion: row.sessionVersion, isAdmin: row.isAdmin } as const;
    }
    return d.outcome === "wrong-password" ? ({ kind: "invalid" } as const) : ({ kind: "locked" } as const);
  });
}

type AuditBase = Parameters<typeof recordAudit>[1];

async function auditSignIn(
  tx: Parameters<typeof recordAudit>[0],
  d: SignInDecision,
  base: Omit<AuditBase, "event" | "outcome">,
): Promise<void> {
  if ("lockExpired" in d && d.lockExpired) {
    await recordAudit(tx, { ...base, event: "account.lock_expired", outcome: "info", reason: "auto-unlock" });
  }
  switch (d.outcome) {
    case "success":
      return recordAudit(tx, { ...base, event: "sign_in.succeeded", outcome: "success" });
    case "wrong-password":
    case "locked-now":
      await recordAudit(tx, {
        ...base,
        event: "sign_in.failed",
        outcome: "failure",
        reason: "wrong-password",
        details: { failures: d.next.failedSignIns },
      });
      if (d.outcome === "wrong-password") return;
      return recordAudit(tx, {
        ...base,
        event: "account.locked",
        outcome: "info",
        reason: "too-many-failures",
        details: { lockedUntil: d.next.lockedUntil?.toISOString() ?? null },
      });
    case "locked":
      return recordAudit(tx, { ...base, event: "sign_in.refused", outcome: "refused", reason: "account-locked" });
  }
}

/** Whether a session still belongs to a current, unchanged account; returns what the home page shows. */
export async function loadSessionUser(db: Db, session: { userId?: string; sessionVersion?: number }) {
  if (!session.userId) return null;
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      isAdmin: users.isAdmin,
      passwordChangedAt: users.passwordChangedAt,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(eq(users.id, session.userId))
    .limit(1);
  if (!row || row.sessionVersion !== session.sessionVersion) return null;
  const { sessionVersion: _v, ...dto } = row;
  return dto;
}

/** Ends every session of a user (their cookies stop matching). */
export async function endAllSessions(db: Db, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}
