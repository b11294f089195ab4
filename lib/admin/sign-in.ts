// Administrator sign-in: the password under the portal's own lockout rules, then a six-digit code by SMS to the
// registered number, bound to this attempt (keyed hash only, 10 minutes, single use, ≤ 5 tries counted atomically, resend
// cooldown, ≤ 3 sends). The right code turns the attempt into an admin session under a new token.
import "server-only";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { signIn } from "@/lib/auth/sign-in";
import { getConfig, type AppConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { adminSessions, users } from "@/lib/db/schema";
import { checkLimit, hitLimit, type Limit } from "@/lib/limits/rate-limit";
import { codeText } from "@/lib/messaging/texts";
import { admitMessage } from "@/lib/messaging/spend-guard";
import { getTransport } from "@/lib/messaging/transport";
import { cooldownUntil } from "@/lib/recovery/flow";
import { keyedHash } from "@/lib/security/keyed-hash";
import { codeHash, codeMatches, newCode } from "@/lib/security/one-time-code";
import { userIdKey } from "@/lib/users/normalize";
import { maskMobile } from "./rules";
import { auditAdmin, newToken, hashToken, type AdminCtx } from "./session";

const PURPOSE = "admin-sign-in";

// The same counters as the portal's sign-in and the wizard's codes: an IP's sign-in budget and an account's daily code
// failures are shared, so the admin page is no way around either.
const signInPerIp = (c: AppConfig): Limit => ({ name: "sign-in:ip", max: c.limits.signInPerIpPerHour, windowSeconds: 3_600 });
const codeFailures = (c: AppConfig): Limit => ({
  name: "code-failures:account",
  max: c.limits.codeFailuresPerAccountPerDay,
  windowSeconds: 86_400,
});

/** Codes texted to one administrator per 24 hours, over all sign-in attempts. */
export const ADMIN_CODES_PER_DAY = 20;

const minutesFrom = (now: Date, minutes: number) => new Date(now.getTime() + minutes * 60_000);

export type StartResult =
  | { kind: "code-sent"; token: string }
  | { kind: "invalid" }
  | { kind: "locked" }
  | { kind: "no-mobile" }
  | { kind: "send-failed" }
  | { kind: "rate-limited"; retryAt: Date };

/**
 * Checks user ID and password. Unknown IDs, ordinary users and wrong passwords all get "invalid" (and "locked" under the
 * normal lockout rules); the audit trail records the real reason. Only an administrator with the right password gets a code.
 */
export async function startAdminSignIn(db: Db, input: { userId: string; password: string } & AdminCtx): Promise<StartResult> {
  const config = getConfig();
  const now = input.now ?? new Date();
  const key = userIdKey(input.userId);
  const limit = await hitLimit(db, signInPerIp(config), input.context.ip ?? "unknown", now);
  if (!limit.allowed) {
    await auditAdmin(db, input, { event: "admin.sign_in.failed", outcome: "refused", reason: "sign-in-per-ip" });
    return { kind: "rate-limited", retryAt: limit.retryAt };
  }
  const [account] = await db.select({ id: users.id, mobile: users.mobile }).from(users).where(eq(users.emailKey, key)).limit(1);
  const result = await signIn(db, { userId: input.userId, password: input.password, context: input.context, now });
  const who = account ? { userId: account.id } : { subjectHash: keyedHash("user-id", key) };

  if (result.kind !== "success" || !result.isAdmin) {
    const reason =
      result.kind === "locked" ? "locked" : !account ? "unknown-user" : result.kind === "success" ? "not-admin" : "wrong-password";
    await auditAdmin(db, input, { ...who, event: "admin.sign_in.failed", outcome: "failure", reason });
    return result.kind === "locked" ? { kind: "locked" } : { kind: "invalid" };
  }
  if (!account?.mobile) {
    await auditAdmin(db, input, { ...who, event: "admin.sign_in.failed", outcome: "failure", reason: "no-mobile" });
    return { kind: "no-mobile" };
  }

  const { token, tokenHash } = newToken();
  const code = newCode();
  const id = crypto.randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(adminSessions).values({
      id,
      tokenHash,
      userId: result.userId,
      sessionVersion: result.sessionVersion,
      stage: "code",
      locale: input.context.locale === "en" ? "en" : "nl",
      codeHash: codeHash(id, PURPOSE, code),
      codeExpiresAt: minutesFrom(now, config.recovery.codeTtlMinutes),
      sends: 1,
      lastSentAt: now,
      createdAt: now,
      expiresAt: minutesFrom(now, config.recovery.flowTtlMinutes),
    });
    await auditAdmin(tx, input, { userId: result.userId, flowId: id, event: "admin.sign_in.password_ok", outcome: "success" });
  });
  const sent = await sendCode(
    db,
    { id, userId: result.userId, locale: input.context.locale === "en" ? "en" : "nl", mobile: account.mobile, sends: 1 },
    code,
    input,
  );
  if (!sent) {
    await endPending(db, id, "send-failed", now);
    return { kind: "send-failed" };
  }
  return { kind: "code-sent", token };
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
export async function loadPendingSignIn(db: Db, token: string | null | undefined, ctx: AdminCtx): Promise<PendingSignIn | null> {
  if (!token) return null;
  const now = ctx.now ?? new Date();
  const [row] = await db
    .select({ s: adminSessions, mobile: users.mobile })
    .from(adminSessions)
    .innerJoin(users, eq(users.id, adminSessions.userId))
    .where(and(eq(adminSessions.tokenHash, hashToken(token)), eq(adminSessions.stage, "code")))
    .limit(1);
  if (!row) return null;
  if (row.s.expiresAt <= now || !row.mobile) {
    if (await endPending(db, row.s.id, "expired", now)) {
      await auditAdmin(db, ctx, {
        userId: row.s.userId,
        flowId: row.s.id,
        event: "admin.sign_in.failed",
        outcome: "failure",
        reason: "attempt-expired",
      });
    }
    return null;
  }
  return {
    id: row.s.id,
    userId: row.s.userId,
    locale: row.s.locale === "en" ? "en" : "nl",
    mobile: row.mobile,
    maskedNumber: maskMobile(row.mobile)!,
    sends: row.s.sends,
    lastSentAt: row.s.lastSentAt,
    codeAttempts: row.s.codeAttempts,
  };
}

/** What the code page may show: the masked number, how long a code lasts, and the wait between two codes. */
export function codePageInfo(p: PendingSignIn) {
  const r = getConfig().recovery;
  return { maskedNumber: p.maskedNumber, codeTtlMinutes: r.codeTtlMinutes, resendAfterSeconds: r.resendCooldownSeconds };
}

export type VerifyResult =
  | { kind: "signed-in"; token: string; sessionId: string }
  | { kind: "wrong-code"; attemptsLeft: number }
  | { kind: "expired-code"; attemptsLeft: number }
  | { kind: "ended"; reason: "too-many-attempts" | "code-failures-per-account" | "gone" };

/**
 * Counts the try first, in one atomic UPDATE … RETURNING (the try after the last allowed one is refused even when
 * right), then compares the newest code in constant time; the right code is used once and becomes the session.
 */
export async function verifyAdminCode(db: Db, pending: PendingSignIn, typed: string, ctx: AdminCtx): Promise<VerifyResult> {
  const config = getConfig();
  const now = ctx.now ?? new Date();
  const max = config.recovery.maxCodeAttempts;
  const base = { userId: pending.userId, flowId: pending.id };

  const blocked = await checkLimit(db, codeFailures(config), pending.userId, now);
  if (!blocked.allowed) {
    await endPending(db, pending.id, "code-failures-per-account", now);
    await auditAdmin(db, ctx, { ...base, event: "admin.sign_in.failed", outcome: "refused", reason: "code-failures-per-account" });
    return { kind: "ended", reason: "code-failures-per-account" };
  }
  const [counted] = await db
    .update(adminSessions)
    .set({ codeAttempts: sql`${adminSessions.codeAttempts} + 1` })
    .where(
      and(
        eq(adminSessions.id, pending.id),
        eq(adminSessions.stage, "code"),
        lt(adminSessions.codeAttempts, max),
        gt(adminSessions.expiresAt, now),
      ),
    )
    .returning({ attempts: adminSessions.codeAttempts, codeHash: adminSessions.codeHash, codeExpiresAt: adminSessions.codeExpiresAt });
  if (!counted) {
    // Out of tries, or the attempt ran out of time meanwhile: either way it ends here (once).
    const [row] = await db
      .select({ attempts: adminSessions.codeAttempts })
      .from(adminSessions)
      .where(eq(adminSessions.id, pending.id))
      .limit(1);
    const reason = row && row.attempts >= max ? "too-many-attempts" : "attempt-expired";
    if (await endPending(db, pending.id, reason, now)) {
      await auditAdmin(db, ctx, { ...base, event: "admin.sign_in.failed", outcome: "refused", reason });
    }
    return { kind: "ended", reason: reason === "too-many-attempts" ? "too-many-attempts" : "gone" };
  }

  const expired = !counted.codeExpiresAt || counted.codeExpiresAt <= now;
  if (!expired && codeMatches(counted.codeHash, pending.id, PURPOSE, typed)) {
    const { token, tokenHash } = newToken();
    const signedIn = await db.transaction(async (tx) => {
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
      if (row) await auditAdmin(tx, ctx, { ...base, event: "admin.sign_in.succeeded", outcome: "success" });
      return Boolean(row);
    });
    return signedIn ? { kind: "signed-in", token, sessionId: pending.id } : { kind: "ended", reason: "gone" };
  }

  await hitLimit(db, codeFailures(config), pending.userId, now);
  const last = counted.attempts >= max;
  if (last) await endPending(db, pending.id, "too-many-attempts", now);
  await auditAdmin(db, ctx, {
    ...base,
    event: "admin.sign_in.failed",
    outcome: "failure",
    reason: last ? "too-many-attempts" : expired ? "expired-code" : "wrong-code",
    details: { attempts: counted.attempts },
  });
  if (last) return { kind: "ended", reason: "too-many-attempts" };
  const attemptsLeft = max - counted.attempts;
  return expired ? { kind: "expired-code", attemptsLeft } : { kind: "wrong-code", attemptsLeft };
}

export type ResendResult =
  { kind: "sent" } | { kind: "cooldown"; retryAt: Date } | { kind: "send-limit" } | { kind: "send-failed" } | { kind: "gone" };

/** A new code after the cooldown, at most maxSends per attempt; it voids the old one and keeps the failure count. */
export async function resendAdminCode(db: Db, pending: PendingSignIn, ctx: AdminCtx): Promise<ResendResult> {
  const config = getConfig();
  const now = ctx.now ?? new Date();
  const r = config.recovery;
  const base = { userId: pending.userId, flowId: pending.id };
  const wait = cooldownUntil(pending, now, { resendCooldownSeconds: r.resendCooldownSeconds });
  const refusal = wait ? "cooldown" : pending.sends >= r.maxSends ? "send-limit" : null;
  if (refusal) {
    await auditAdmin(db, ctx, { ...base, event: "admin.sign_in.code_resend_refused", outcome: "refused", reason: refusal });
    return wait ? { kind: "cooldown", retryAt: wait } : { kind: "send-limit" };
  }
  const code = newCode();
  const [row] = await db
    .update(adminSessions)
    .set({
      codeHash: codeHash(pending.id, PURPOSE, code),
      codeExpiresAt: minutesFrom(now, r.codeTtlMinutes),
      sends: sql`${adminSessions.sends} + 1`,
      lastSentAt: now,
    })
    .where(and(eq(adminSessions.id, pending.id), eq(adminSessions.stage, "code"), eq(adminSessions.sends, pending.sends)))
    .returning({ sends: adminSessions.sends });
  if (!row) return { kind: "gone" };
  return (await sendCode(db, { ...pending, sends: row.sends }, code, ctx)) ? { kind: "sent" } : { kind: "send-failed" };
}

/** "Annuleren" on the code page. */
export async function cancelAdminSignIn(db: Db, pending: PendingSignIn, ctx: AdminCtx): Promise<void> {
  if (await endPending(db, pending.id, "cancelled", ctx.now ?? new Date())) {
    await auditAdmin(db, ctx, { userId: pending.userId, flowId: pending.id, event: "admin.sign_in.cancelled", outcome: "info" });
  }
}

async function endPending(db: Db, id: string, reason: string, now: Date): Promise<boolean> {
  const ended = await db
    .update(adminSessions)
    .set({ stage: "ended", codeHash: null, endedAt: now, endedReason: reason })
    .where(and(eq(adminSessions.id, id), eq(adminSessions.stage, "code")))
    .returning({ id: adminSessions.id });
  return ended.length > 0;
}

/** Hands the code to the configured transport and audits the outcome (never the code or the full number). */
async function sendCode(
  db: Db,
  to: { id: string; userId: string; locale: "nl" | "en"; mobile: string; sends: number },
  code: string,
  ctx: AdminCtx,
): Promise<boolean> {
  const config = getConfig();
  const transport = getTransport();
  const body = codeText(to.locale, "sms", config.orgName, code, config.recovery.codeTtlMinutes);
  // Counted against the spend caps like every message, and sent only to an allowed mobile number. An open breaker does
  // not stop it: administrators must still get in to see what tripped it, and their password was checked first.
  // That is also why an account gets at most ADMIN_CODES_PER_DAY codes: someone holding only the password cannot keep
  // texting the administrator's phone and eat into the caps by starting over and over.
  const now = ctx.now ?? new Date();
  const perAccount = await hitLimit(
    db,
    { name: "admin-code-sends:account", max: ADMIN_CODES_PER_DAY, windowSeconds: 86_400 },
    to.userId,
    now,
  );
  const admitted = perAccount.allowed ? await admitMessage(db, to.mobile, now) : ({ ok: false, reason: "per-account-limit" } as const);
  if (!admitted.ok && admitted.reason !== "breaker") {
    await auditAdmin(db, ctx, {
      userId: to.userId,
      flowId: to.id,
      event: "admin.sign_in.code_sent",
      outcome: "refused",
      reason: "sms",
      details: { send: to.sends, rule: admitted.reason },
    });
    return false;
  }
  let result;
  try {
    result = await transport.send(db, { to: to.mobile, channel: "sms", locale: to.locale, body, purpose: "code", flowId: to.id });
  } catch (error) {
    result = { ok: false as const, error: error instanceof Error ? error.name : "error" };
  }
  await auditAdmin(
    db,
    ctx,
    result.ok
      ? {
          userId: to.userId,
          flowId: to.id,
          event: "admin.sign_in.code_sent",
          outcome: "success",
          reason: "sms",
          details: { send: to.sends, transport: transport.name, providerId: result.providerId, lastDigits: to.mobile.slice(-2) },
        }
      : {
          userId: to.userId,
          flowId: to.id,
          event: "admin.sign_in.code_sent",
          outcome: "failure",
          reason: "sms",
          details: { send: to.sends, transport: transport.name, error: result.error },
        },
  );
  return result.ok;
}
