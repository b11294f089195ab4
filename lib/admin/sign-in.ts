// Administrator sign-in: the password under the portal's own lockout rules (through the account store), then a six-digit
// code by SMS to the registered number, issued and checked by lib/verification like the wizard's (keyed hash only, bound
// to this attempt, 10 minutes, single use, ≤ 5 tries counted atomically, resend cooldown, ≤ 3 sends) and sent through
// the same guarded send. The right code turns the attempt into an admin session under a new token. Every change of the
// attempt commits together with its audit row.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import type { AccountStore } from "@/lib/accounts/types";
import { signIn } from "@/lib/auth/sign-in";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { adminSessions } from "@/lib/db/schema";
import { ADMIN_CODES_PER_DAY, limits } from "@/lib/limits/policies";
import { checkLimit, hitLimit } from "@/lib/limits/rate-limit";
import { sendCodeMessage, storeCodeMessage } from "@/lib/messaging/code-messages";
import { codeText } from "@/lib/messaging/texts";
import { lastDigits, maskMobile } from "@/lib/security/masking";
import { subjectHash } from "@/lib/security/subject";
import { hashToken, newToken } from "@/lib/security/token";
import { checkCode, issueCode } from "@/lib/verification/codes";
import { attemptsLeft, codePolicy, sendRefusal } from "@/lib/verification/policy";
import type { SendOutcome } from "@/lib/verification/send";
import { adminAuditEvent, auditAdmin, type AdminAudit, type AdminCtx } from "./session";

export { ADMIN_CODES_PER_DAY };

const PURPOSE = "admin-sign-in";

const minutesFrom = (now: Date, minutes: number) => new Date(now.getTime() + minutes * 60_000);

export type StartResult =
  | { kind: "code-sent"; token: string }
  | { kind: "invalid" }
  | { kind: "locked" }
  | { kind: "no-mobile" }
  | { kind: "send-failed" }
  | { kind: "rate-limited"; retryAt: Date };

type Ctx = AdminCtx & { accounts?: AccountStore };

/**
 * Checks user ID and password. Unknown IDs, ordinary users and wrong passwords all get "invalid" (and "locked" under the
 * normal lockout rules); the audit trail records the real reason. Only an administrator with the right password gets a code.
 */
export async function startAdminSignIn(db: Db, input: { userId: string; password: string } & Ctx): Promise<StartResult> {
  const config = getConfig();
  const now = input.now ?? new Date();
  const perIp = limits.signInPerIp(config);
  const limit = await hitLimit(db, perIp, input.context.ip ?? "unknown", now);
  if (!limit.allowed) {
    await auditAdmin(db, input, { event: "admin.sign_in.failed", outcome: "refused", reason: perIp.reason });
    return { kind: "rate-limited", retryAt: limit.retryAt };
  }
  const store = input.accounts ?? getAccountStore(db);
  const account = await store.find(input.userId);
  const result = await signIn(db, { userId: input.userId, password: input.password, context: input.context, now }, store);
  const who = account ? { userId: account.id } : { subjectHash: subjectHash(input.userId) };

  if (result.kind !== "success" || !result.isAdmin || !account) {
    const reason =
      result.kind === "locked"
        ? "locked"
        : !account
          ? "unknown-user"
          : result.kind === "success"
            ? "not-admin"
            : result.kind === "invalid"
              ? "wrong-password"
              : result.kind;
    await auditAdmin(db, input, { ...who, event: "admin.sign_in.failed", outcome: "failure", reason });
    return result.kind === "locked" ? { kind: "locked" } : { kind: "invalid" };
  }
  if (!account.mobile) {
    await auditAdmin(db, input, { ...who, event: "admin.sign_in.failed", outcome: "failure", reason: "no-mobile" });
    return { kind: "no-mobile" };
  }

  const { token, tokenHash } = newToken();
  const id = randomUUID();
  const issued = issueCode(id, PURPOSE, now, codePolicy(config));
  const locale = input.context.locale === "en" ? "en" : "nl";
  const to: CodeTo = { id, userId: account.id, locale, mobile: account.mobile, sends: 1 };
  const message = await db.transaction(async (tx) => {
    await tx.insert(adminSessions).values({
      id,
      tokenHash,
      userId: account.id,
      stage: "code",
      locale,
      codeHash: issued.codeHash,
      codeExpiresAt: issued.expiresAt,
      sends: 1,
      lastSentAt: now,
      createdAt: now,
      expiresAt: minutesFrom(now, config.recovery.flowTtlMinutes),
    });
    await auditAdmin(tx, input, { userId: account.id, flowId: id, event: "admin.sign_in.password_ok", outcome: "success" });
    return storeCode(tx, to, issued.code, issued.expiresAt, now);
  });
  const sent = await sendCode(db, to, message, input, (tx) => endPending(tx, id, "send-failed", now));
  return sent ? { kind: "code-sent", token } : { kind: "send-failed" };
}

export type PendingSignIn = {
  id: string;
  userId: string;
  locale: "nl" | "en";
  mobile: string;
  maskedNumber: string;
  sends: number;
  lastSentAt: Date | null;
  codeAttempts: number;
};

/** The attempt behind a token, while it waits for its code; an attempt past its lifetime is ended (and audited). */
export async function loadPendingSignIn(db: Db, token: string | null | undefined, ctx: Ctx): Promise<PendingSignIn | null> {
  if (!token) return null;
  const now = ctx.now ?? new Date();
  const [row] = await db
    .select()
    .from(adminSessions)
    .where(and(eq(adminSessions.tokenHash, hashToken(token)), eq(adminSessions.stage, "code")))
    .limit(1);
  if (!row) return null;
  const account = row.expiresAt > now ? await (ctx.accounts ?? getAccountStore(db)).get(row.userId) : null;
  if (!account?.mobile) {
    await end(db, row.id, "expired", now, ctx, {
      userId: row.userId,
      flowId: row.id,
      event: "admin.sign_in.failed",
      outcome: "failure",
      reason: "attempt-expired",
    });
    return null;
  }
  return {
    id: row.id,
    userId: row.userId,
    locale: row.locale === "en" ? "en" : "nl",
    mobile: account.mobile,
    maskedNumber: maskMobile(account.mobile) ?? "",
    sends: row.sends,
    lastSentAt: row.lastSentAt,
    codeAttempts: row.codeAttempts,
  };
}

/** What the code page may show: the masked number, how long a code lasts, and the wait between two codes. */
export function codePageInfo(p: PendingSignIn) {
  const policy = codePolicy(getConfig());
  return {
    maskedNumber: p.maskedNumber,
    codeTtlMinutes: Math.round(policy.codeTtlSeconds / 60),
    resendAfterSeconds: policy.resendCooldownSeconds,
  };
}

export type VerifyResult =
  | { kind: "signed-in"; token: string; sessionId: string }
  | { kind: "wrong-code"; attemptsLeft: number }
  | { kind: "expired-code"; attemptsLeft: number }
  | { kind: "ended"; reason: "too-many-attempts" | "admin-code-failures-per-account" | "gone" };

/**
 * In one transaction: counts the try first, in one atomic UPDATE … RETURNING that holds the attempt's row (the try after
 * the last allowed one is refused even when right), then checks the code; the right code is used once and becomes the
 * session, a wrong one is counted against the administrator's own admin counter (never the wizard's, so nothing done in
 * the wizard keeps an administrator out, and the other way round); each outcome with its audit row.
 */
export async function verifyAdminCode(db: Db, pending: PendingSignIn, typed: string, ctx: Ctx): Promise<VerifyResult> {
  const config = getConfig();
  const now = ctx.now ?? new Date();
  const policy = codePolicy(config);
  const failures = limits.adminCodeFailuresPerAccount();
  const base = { userId: pending.userId, flowId: pending.id };

  if (!(await checkLimit(db, failures, pending.userId, now)).allowed) {
    await db.transaction(async (tx) => {
      await endPending(tx, pending.id, failures.reason, now);
      await auditAdmin(tx, ctx, { ...base, event: "admin.sign_in.failed", outcome: "refused", reason: failures.reason });
    });
    return { kind: "ended", reason: "admin-code-failures-per-account" };
  }
  return db.transaction(async (tx): Promise<VerifyResult> => {
    const [counted] = await tx
      .update(adminSessions)
      .set({ codeAttempts: sql`${adminSessions.codeAttempts} + 1` })
      .where(
        and(
          eq(adminSessions.id, pending.id),
          eq(adminSessions.stage, "code"),
          lt(adminSessions.codeAttempts, policy.maxCodeAttempts),
          gt(adminSessions.expiresAt, now),
        ),
      )
      .returning({ attempts: adminSessions.codeAttempts, codeHash: adminSessions.codeHash, codeExpiresAt: adminSessions.codeExpiresAt });
    if (!counted) {
      // Out of tries, or the attempt ran out of time meanwhile: either way it ends here (once).
      const [row] = await tx
        .select({ attempts: adminSessions.codeAttempts })
        .from(adminSessions)
        .where(eq(adminSessions.id, pending.id))
        .limit(1);
      const reason = row && row.attempts >= policy.maxCodeAttempts ? "too-many-attempts" : "attempt-expired";
      if (await endPending(tx, pending.id, reason, now)) {
        await auditAdmin(tx, ctx, { ...base, event: "admin.sign_in.failed", outcome: "refused", reason });
      }
      return { kind: "ended", reason: reason === "too-many-attempts" ? "too-many-attempts" : "gone" };
    }

    const verdict = checkCode({ codeHash: counted.codeHash, expiresAt: counted.codeExpiresAt }, pending.id, PURPOSE, typed, now);
    if (verdict === "match") {
      const { token, tokenHash } = newToken();
      // Only this code, only once: a parallel submit of the same code finds the hash gone and the stage moved on.
      const [row] = await tx
        .update(adminSessions)
        .set({
          stage: "active",
          tokenHash,
          codeHash: null,
          codeExpiresAt: null,
          signedInAt: now,
          lastSeenAt: now,
          expiresAt: new Date(now.getTime() + config.admin.sessionHours * 3_600_000),
        })
        .where(and(eq(adminSessions.id, pending.id), eq(adminSessions.stage, "code"), eq(adminSessions.codeHash, counted.codeHash!)))
        .returning({ id: adminSessions.id });
      if (!row) return { kind: "ended", reason: "gone" };
      await auditAdmin(tx, ctx, { ...base, event: "admin.sign_in.succeeded", outcome: "success" });
      return { kind: "signed-in", token, sessionId: pending.id };
    }

    await hitLimit(tx, failures, pending.userId, now);
    const last = counted.attempts >= policy.maxCodeAttempts;
    if (last) await endPending(tx, pending.id, "too-many-attempts", now);
    await auditAdmin(tx, ctx, {
      ...base,
      event: "admin.sign_in.failed",
      outcome: "failure",
      reason: last ? "too-many-attempts" : verdict === "expired" ? "expired-code" : "wrong-code",
      details: { attempts: counted.attempts },
    });
    if (last) return { kind: "ended", reason: "too-many-attempts" };
    const left = attemptsLeft(counted.attempts, policy);
    return verdict === "expired" ? { kind: "expired-code", attemptsLeft: left } : { kind: "wrong-code", attemptsLeft: left };
  });
}

export type ResendResult =
  { kind: "sent" } | { kind: "cooldown"; retryAt: Date } | { kind: "send-limit" } | { kind: "send-failed" } | { kind: "gone" };

/** A new code after the cooldown, at most maxSends per attempt; it voids the old one and keeps the failure count. */
export async function resendAdminCode(db: Db, pending: PendingSignIn, ctx: Ctx): Promise<ResendResult> {
  const now = ctx.now ?? new Date();
  const policy = codePolicy(getConfig());
  const base = { userId: pending.userId, flowId: pending.id };
  const refusal = sendRefusal(pending, now, policy);
  if (refusal) {
    await auditAdmin(db, ctx, { ...base, event: "admin.sign_in.code_resend_refused", outcome: "refused", reason: refusal.kind });
    return refusal;
  }
  const issued = issueCode(pending.id, PURPOSE, now, policy);
  const stored = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(adminSessions)
      .set({ codeHash: issued.codeHash, codeExpiresAt: issued.expiresAt, sends: sql`${adminSessions.sends} + 1`, lastSentAt: now })
      .where(and(eq(adminSessions.id, pending.id), eq(adminSessions.stage, "code"), eq(adminSessions.sends, pending.sends)))
      .returning({ sends: adminSessions.sends });
    if (!row) return null;
    await auditAdmin(tx, ctx, { ...base, event: "admin.sign_in.code_requested", outcome: "info", details: { send: row.sends } });
    const to: CodeTo = { ...pending, sends: row.sends };
    return { to, message: await storeCode(tx, to, issued.code, issued.expiresAt, now) };
  });
  if (stored === null) return { kind: "gone" };
  return (await sendCode(db, stored.to, stored.message, ctx)) ? { kind: "sent" } : { kind: "send-failed" };
}

/** "Annuleren" on the code page. */
export async function cancelAdminSignIn(db: Db, pending: PendingSignIn, ctx: Ctx): Promise<void> {
  await end(db, pending.id, "cancelled", ctx.now ?? new Date(), ctx, {
    userId: pending.userId,
    flowId: pending.id,
    event: "admin.sign_in.cancelled",
    outcome: "info",
  });
}

/** Ends a pending attempt once, with its audit row. */
async function end(db: Db, id: string, reason: string, now: Date, ctx: Ctx, row: AdminAudit): Promise<void> {
  await db.transaction(async (tx) => {
    if (await endPending(tx, id, reason, now)) await auditAdmin(tx, ctx, row);
  });
}

async function endPending(tx: Db | Tx, id: string, reason: string, now: Date): Promise<boolean> {
  const ended = await tx
    .update(adminSessions)
    .set({ stage: "ended", codeHash: null, endedAt: now, endedReason: reason })
    .where(and(eq(adminSessions.id, id), eq(adminSessions.stage, "code")))
    .returning({ id: adminSessions.id });
  return ended.length > 0;
}

type CodeTo = { id: string; userId: string; locale: "nl" | "en"; mobile: string; sends: number };

/** The audit row of an admin code's send (never the code or the full number). */
function codeSentRow(to: CodeTo, outcome: SendOutcome): AdminAudit {
  const base = { userId: to.userId, flowId: to.id, event: "admin.sign_in.code_sent", reason: "sms" } as const;
  switch (outcome.kind) {
    case "refused":
      return { ...base, outcome: "refused", details: { send: to.sends, rule: outcome.rule } };
    case "sent":
      return {
        ...base,
        outcome: "success",
        details: { send: to.sends, transport: outcome.transport, providerId: outcome.providerId, lastDigits: lastDigits(to.mobile) },
      };
    case "failed":
      return { ...base, outcome: "failure", details: { send: to.sends, transport: outcome.transport, error: outcome.error } };
  }
}

/** Stores the code's SMS as a message row in the transaction that stores its hash (lib/messaging/code-messages.ts). */
function storeCode(tx: Tx, to: CodeTo, code: string, expiresAt: Date, now: Date): Promise<number> {
  const config = getConfig();
  const body = codeText(to.locale, "sms", config.orgName, code, config.recovery.codeTtlMinutes);
  return storeCodeMessage(tx, { to: to.mobile, channel: "sms", locale: to.locale, body, flowId: to.id, userId: to.userId, expiresAt }, now);
}

/**
 * Sends the stored code once through the guarded send, counted against the spend caps like every message and only to an allowed
 * mobile number. An open breaker does not stop it: administrators must still get in to see what tripped it, and their
 * password was checked first. That is also why an account gets at most ADMIN_CODES_PER_DAY codes: someone holding only
 * the password cannot keep texting the administrator's phone and eat into the caps by starting over and over.
 * `onFailure` commits with the outcome's audit row when no code went out.
 */
async function sendCode(db: Db, to: CodeTo, message: number, ctx: Ctx, onFailure?: (tx: Tx) => Promise<unknown>): Promise<boolean> {
  const outcome = await sendCodeMessage(db, message, {
    breaker: "override",
    perAccount: { policy: limits.adminCodesPerAccount(), subject: to.userId },
    now: ctx.now,
    audit: (o) => adminAuditEvent(ctx, codeSentRow(to, o)),
    record: async (tx, o) => (o.kind === "sent" ? undefined : onFailure?.(tx)),
  });
  return outcome.kind === "sent";
}
