// Sign-in through the account store. For stores that leave the lockout to the portal (builtin), wrong passwords are
// counted per account (or per unknown ID) in the database and every attempt is audited, the counters and their audit
// rows in one transaction; a directory keeps its own lockout, and the portal audits its answer and counts refusals per
// typed ID only to decide what the person is told (never the directory's lock state).
import "server-only";
import { eq } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import type { AccountStore } from "@/lib/accounts/types";
import { recordAudit, type AuditEvent } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { phantomSignIns, users } from "@/lib/db/schema";
import type { RequestContext } from "@/lib/security/request-context";
import { subjectHash } from "@/lib/security/subject";
import { decideSignIn, type LockPolicy, type SignInDecision } from "./lockout";

export type SignInResult =
  | { kind: "success"; userId: string; isAdmin: boolean }
  | { kind: "invalid" }
  | { kind: "locked" }
  /** Only with the right password: it must be changed first (AD pwdLastSet=0, a helpdesk requirement) or has expired. */
  | { kind: "must-change" }
  | { kind: "expired" };

type SignInInput = { userId: string; password: string; context: RequestContext; now?: Date; policy?: LockPolicy };

type Who = Pick<AuditEvent, "userId" | "subjectHash" | "ip" | "userAgent" | "locale" | "at">;

/** Same answers and about the same time for unknown IDs as for real accounts, including the locked answer. */
export async function signIn(db: Db, input: SignInInput, store: AccountStore = getAccountStore(db)): Promise<SignInResult> {
  const now = input.now ?? new Date();
  const policy = input.policy ?? getConfig().lockout;
  const base = { ip: input.context.ip, userAgent: input.context.userAgent, locale: input.context.locale, at: now };
  const check = await store.checkPassword(input.userId, input.password);
  if (store.lockout === "directory") return directorySignIn(db, check, base, input.userId, policy);

  const account = check.kind === "ok" || check.kind === "must-change" ? check.account : await store.find(input.userId);
  if (!account) {
    const idHash = subjectHash(input.userId);
    const decision = await db.transaction(async (tx) => {
      const d = await countTypedIdFailure(tx, idHash, now, policy);
      await auditSignIn(tx, d, { ...base, subjectHash: idHash });
      return d;
    });
    return answerOf(decision);
  }

  // The portal's lockout counters live in the account's users row (builtin).
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, account.id)).for("update");
    if (!row) return { kind: "invalid" } as const;
    // A password that must be changed is still the right one: it clears the failure count like any right password.
    const d = decideSignIn(row, check.kind === "ok" || check.kind === "must-change", now, policy);
    await tx
      .update(users)
      .set({ ...d.next, updatedAt: now })
      .where(eq(users.id, account.id));
    if (d.outcome === "success" && check.kind === "must-change") {
      await recordAudit(tx, {
        ...base,
        userId: account.id,
        event: "sign_in.refused",
        outcome: "refused",
        reason: "password-change-required",
      });
      return { kind: "must-change" } as const;
    }
    await auditSignIn(tx, d, { ...base, userId: account.id });
    if (d.outcome === "success") {
      return { kind: "success", userId: account.id, isAdmin: account.isAdmin } as const;
    }
    return answerOf(d);
  });
}

/** What a refused attempt is told: "locked" once the lock is due by the count, "wrong password" before (see decideSignIn). */
function answerOf(d: SignInDecision): { kind: "invalid" } | { kind: "locked" } {
  if (d.outcome === "locked") return { kind: d.answer };
  // (An unknown ID has no right password, so "success" never reaches here.)
  return d.outcome === "locked-now" ? { kind: "locked" } : { kind: "invalid" };
}

/**
 * One refused attempt counted for a typed ID that has no users row (an unknown ID, or any ID when a directory keeps
 * the accounts), with the same lockout arithmetic as an account's: "wrong password" until the count reaches the
 * threshold, then "locked" for the lock's duration.
 */
async function countTypedIdFailure(tx: Tx, idHash: string, now: Date, policy: LockPolicy): Promise<SignInDecision> {
  await tx.insert(phantomSignIns).values({ idHash }).onConflictDoNothing();
  const [row] = await tx.select().from(phantomSignIns).where(eq(phantomSignIns.idHash, idHash)).for("update");
  const d = decideSignIn(row!, false, now, policy);
  await tx
    .update(phantomSignIns)
    .set({ ...d.next, updatedAt: now })
    .where(eq(phantomSignIns.idHash, idHash));
  return d;
}

/**
 * A directory decided (and counted) itself; the portal records its answer. What the person is told for a refusal does
 * not come from the directory, though: a locked directory account answers every password with "locked" (AD's 775,
 * ppolicy's accountLocked, right password or wrong), while an unknown ID is only ever "wrong", so passing that on would
 * tell anyone that the ID exists and is locked. Instead every refusal — wrong password, locked account, unknown ID —
 * is counted per typed ID (its keyed hash) like the builtin store's unknown IDs, and answered by that count:
 * "wrong password" until LOCKOUT_THRESHOLD, then "locked". An account locked elsewhere (Windows sign-ins) answers the
 * first attempts like any other account, as the builtin store does for an account locked by an operator. The lock
 * itself stays the directory's; the audit row says what the directory answered.
 */
async function directorySignIn(
  db: Db,
  check: Awaited<ReturnType<AccountStore["checkPassword"]>>,
  base: Who,
  typedId: string,
  policy: LockPolicy,
): Promise<SignInResult> {
  const idHash = subjectHash(typedId);
  switch (check.kind) {
    case "ok": {
      await db.delete(phantomSignIns).where(eq(phantomSignIns.idHash, idHash));
      await recordAudit(db, { ...base, userId: check.account.id, event: "sign_in.succeeded", outcome: "success" });
      return { kind: "success", userId: check.account.id, isAdmin: check.account.isAdmin };
    }
    case "must-change":
    case "expired":
      // Only the right password gets this far, so saying so reveals nothing to someone who does not know it.
      await db.delete(phantomSignIns).where(eq(phantomSignIns.idHash, idHash));
      await recordAudit(db, { ...base, userId: check.account.id, event: "sign_in.refused", outcome: "refused", reason: check.kind });
      return { kind: check.kind };
    default: {
      const locked = check.kind === "locked";
      return db.transaction(async (tx) => {
        const answer = answerOf(await countTypedIdFailure(tx, idHash, base.at ?? new Date(), policy));
        await recordAudit(tx, {
          ...base,
          subjectHash: idHash,
          ...(locked
            ? { event: "sign_in.refused", outcome: "refused", reason: "account-locked", details: { answered: answer.kind } }
            : { event: "sign_in.failed", outcome: "failure", reason: "wrong-password" }),
        });
        return answer;
      });
    }
  }
}

async function auditSignIn(tx: Tx, d: SignInDecision, base: Who): Promise<void> {
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
      return recordAudit(tx, {
        ...base,
        event: "sign_in.refused",
        outcome: "refused",
        reason: "account-locked",
        details: { failures: d.next.failedSignIns, answered: d.answer },
      });
  }
}
