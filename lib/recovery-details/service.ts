// "Mijn herstelgegevens": a signed-in user registers or changes their own mobile number, or confirms it is still right.
// A change needs the current password again (the account store's check, counted like a sign-in under the lockout
// rules), then a code sent to the *new* number through the shared guarded send (per-account and per-number caps, the
// spend guard); the right code stores the number, marks it confirmed, and queues a notification to the *old* number in
// the same transaction. Every step has its audit row.
import "server-only";
import { countedSchedule, type Schedule } from "@/lib/background";
import { randomUUID } from "node:crypto";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import type { Account, AccountStore, RecordChange } from "@/lib/accounts/types";
import { signIn } from "@/lib/auth/sign-in";
import { recordAudit, type AuditEvent } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { mobileChanges } from "@/lib/db/schema";
import { limits } from "@/lib/limits/policies";
import { checkLimit, hitLimit } from "@/lib/limits/rate-limit";
import { sendCodeMessage, storeCodeMessage } from "@/lib/messaging/code-messages";
import { queueNotification, sendQueued } from "@/lib/messaging/queue";
import { codeText, mobileChangedText } from "@/lib/messaging/texts";
import type { Transport } from "@/lib/messaging/transport";
import { lastDigits, maskMobile } from "@/lib/security/masking";
import type { RequestContext } from "@/lib/security/request-context";
import { checkMobileNumber } from "@/lib/users/normalize";
import { checkCode, issueCode } from "@/lib/verification/codes";
import { attemptsLeft, codePolicy } from "@/lib/verification/policy";
import type { SendOutcome } from "@/lib/verification/send";
import { reconfirmDue } from "./rules";

const PURPOSE = "mobile-change";

/** Runs work after the response (actions pass Next's after()); tests run it at once. */

export type DetailsCtx = {
  context: RequestContext;
  now?: Date;
  schedule?: Schedule;
  store?: AccountStore;
  /** Tests pass their own transport; the configured one otherwise. */
  transport?: Transport;
};

const nowOf = (ctx: DetailsCtx) => ctx.now ?? new Date();
const storeOf = (db: Db, ctx: DetailsCtx) => ctx.store ?? getAccountStore(db);
const localeOf = (ctx: DetailsCtx): "nl" | "en" => (ctx.context.locale === "en" ? "en" : "nl");

type Row = Omit<AuditEvent, "ip" | "userAgent" | "locale" | "at" | "userId">;

function auditRow(account: Account, ctx: DetailsCtx, row: Row): AuditEvent {
  const c = ctx.context;
  return { ...row, userId: account.id, ip: c.ip, userAgent: c.userAgent, locale: c.locale, at: nowOf(ctx) };
}

// ---------------------------------------------------------------------------------------------------------------
// What the pages show.

export type PendingChange = { id: string; maskedNumber: string; codeTtlMinutes: number };

export type RecoveryDetails = {
  maskedNumber: string | null;
  confirmedAt: Date | null;
  /** "Klopt dit nummer nog?": never confirmed, or longer ago than RECOVERY_RECONFIRM_DAYS. */
  reconfirmDue: boolean;
  /** A change waiting for its code. */
  pending: PendingChange | null;
};

export async function loadRecoveryDetails(db: Db, account: Account, ctx: DetailsCtx): Promise<RecoveryDetails> {
  const now = nowOf(ctx);
  const config = getConfig();
  const confirmedAt = await storeOf(db, ctx).mobileConfirmedAt(account);
  const open = await openChange(db, account.id, now);
  return {
    maskedNumber: maskMobile(account.mobile),
    confirmedAt,
    reconfirmDue: reconfirmDue(confirmedAt, now, config.recovery.reconfirmDays),
    pending: open?.newMobile
      ? { id: open.id, maskedNumber: maskMobile(open.newMobile)!, codeTtlMinutes: config.recovery.codeTtlMinutes }
      : null,
  };
}

async function openChange(db: Db | Tx, accountId: string, now: Date) {
  const [row] = await db
    .select()
    .from(mobileChanges)
    .where(and(eq(mobileChanges.accountId, accountId), eq(mobileChanges.stage, "open"), gt(mobileChanges.expiresAt, now)))
    .orderBy(sql`${mobileChanges.createdAt} desc`)
    .limit(1);
  return row ?? null;
}

/** Whether the account's latest change was completed (so a code typed for it finds nothing open, yet nothing failed). */
async function lastChangeDone(db: Db | Tx, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ stage: mobileChanges.stage })
    .from(mobileChanges)
    .where(eq(mobileChanges.accountId, accountId))
    .orderBy(sql`${mobileChanges.createdAt} desc`)
    .limit(1);
  return row?.stage === "done";
}

/** Ends the account's open changes (the number is forgotten); returns whether one was open. */
async function endChanges(tx: Db | Tx, accountId: string, stage: string, now: Date, id?: string): Promise<boolean> {
  const ended = await tx
    .update(mobileChanges)
    .set({ stage, newMobile: null, codeHash: null, endedAt: now })
    .where(and(eq(mobileChanges.accountId, accountId), eq(mobileChanges.stage, "open"), id ? eq(mobileChanges.id, id) : undefined))
    .returning({ id: mobileChanges.id });
  return ended.length > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Starting a change: the number, the password, then a code to the new number.

export type NumberProblem = "invalid" | "not-mobile" | "country-not-allowed" | "same-number";

export type StartResult =
  | { kind: "code-sent" }
  | { kind: "number"; problem: NumberProblem }
  | { kind: "wrong-password" }
  | { kind: "locked" }
  | { kind: "rate-limited"; retryAt: Date | null }
  | { kind: "send-failed" };

export async function startMobileChange(
  db: Db,
  account: Account,
  input: { mobile: string; password: string },
  ctx: DetailsCtx,
): Promise<StartResult> {
  const config = getConfig();
  const now = nowOf(ctx);
  const refuse = (reason: string) =>
    recordAudit(db, auditRow(account, ctx, { event: "mobile.change_refused", outcome: "refused", reason }));

  // The number first: refusing a landline or a typo reveals nothing and costs no password guess.
  const checked = checkMobileNumber(input.mobile, config.sms.allowedCountries);
  if (!checked.ok) {
    await refuse(checked.problem === "invalid" ? "invalid-number" : checked.problem);
    return { kind: "number", problem: checked.problem };
  }
  if (checked.e164 === account.mobile) {
    await refuse("same-number");
    return { kind: "number", problem: "same-number" };
  }

  // The password is a guess like any sign-in: the same per-IP budget, the same lockout (signIn counts and audits it).
  const perIp = limits.signInPerIp(config);
  const limit = await hitLimit(db, perIp, ctx.context.ip ?? "unknown", now);
  if (!limit.allowed) {
    await refuse(perIp.reason);
    return { kind: "rate-limited", retryAt: limit.retryAt };
  }
  const store = storeOf(db, ctx);
  const check = await signIn(db, { userId: account.userId, password: input.password, context: ctx.context, now }, store);
  // must-change/expired: the password is right (only the right one gets these answers), which is all this step asks.
  const proven = (check.kind === "success" && check.userId === account.id) || check.kind === "must-change" || check.kind === "expired";
  if (!proven) {
    const locked = check.kind === "locked";
    await refuse(locked ? "locked" : "wrong-password");
    return locked ? { kind: "locked" } : { kind: "wrong-password" };
  }

  const policy = codePolicy(config);
  const id = randomUUID();
  const issued = issueCode(id, PURPOSE, now, policy);
  const locale = localeOf(ctx);
  const body = codeText(locale, "sms", config.orgName, issued.code, config.recovery.codeTtlMinutes);
  const message = await db.transaction(async (tx) => {
    // One open change per account: a new one replaces an older one (whose code stops working).
    await endChanges(tx, account.id, "superseded", now);
    await tx.insert(mobileChanges).values({
      id,
      accountId: account.id,
      newMobile: checked.e164,
      locale,
      codeHash: issued.codeHash,
      codeExpiresAt: issued.expiresAt,
      sends: 1,
      lastSentAt: now,
      createdAt: now,
      expiresAt: new Date(now.getTime() + config.recovery.flowTtlMinutes * 60_000),
    });
    await recordAudit(
      tx,
      auditRow(account, ctx, { flowId: id, event: "mobile.change_started", outcome: "info", reason: account.mobile ? null : "registered" }),
    );
    // Only ever to the new number: the code proves the user holds it. Stored with the code (lib/messaging/code-messages.ts).
    return storeCodeMessage(
      tx,
      { to: checked.e164, channel: "sms", locale, body, flowId: id, userId: account.id, expiresAt: issued.expiresAt },
      now,
    );
  });

  const outcome = await sendCodeMessage(db, message, {
    breaker: "refuse",
    perAccount: { policy: limits.mobileChangesPerAccount(), subject: account.id },
    perNumber: limits.codesPerNumber(config),
    now,
    transport: ctx.transport,
    audit: (o) => auditRow(account, ctx, { flowId: id, ...codeSentRow(o, checked.e164) }),
    // No code went out: the change ends with the outcome's row, so the page never waits for a code that is not coming.
    record: async (tx, o) => (o.kind === "sent" ? undefined : endChanges(tx, account.id, "send-failed", now, id)),
  });
  if (outcome.kind === "sent") return { kind: "code-sent" };
  if (outcome.kind === "refused" && outcome.rule === "per-account-limit") return { kind: "rate-limited", retryAt: null };
  return { kind: "send-failed" };
}

function codeSentRow(outcome: SendOutcome, to: string): Pick<AuditEvent, "event" | "outcome" | "reason" | "details"> {
  const base = { event: "mobile.code_sent", reason: "sms" } as const;
  switch (outcome.kind) {
    case "sent":
      return {
        ...base,
        outcome: "success",
        details: { transport: outcome.transport, providerId: outcome.providerId, lastDigits: lastDigits(to) },
      };
    case "failed":
      return { ...base, outcome: "failure", details: { transport: outcome.transport, error: outcome.error } };
    case "refused":
      return { ...base, outcome: "refused", details: { rule: outcome.rule } };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The code from the new number.

export type VerifyResult =
  | { kind: "changed"; registered: boolean }
  | { kind: "wrong-code"; attemptsLeft: number }
  | { kind: "expired-code"; attemptsLeft: number }
  /** No change is open, and the last one was completed (a second tab, Back, a second submit): nothing more changes. */
  | { kind: "already-changed" }
  | { kind: "ended" };

type Checked = VerifyResult | { kind: "match"; newMobile: string };

/**
 * In one transaction (for a directory: the transaction around its write): the try is counted first by one atomic
 * update (the try after the last allowed one is refused even when right), then the code is compared in constant time.
 * The right code ends the change, stores the number through the account store, and queues the old number's
 * notification, all committing together; a wrong one counts against the account's own number-change counter.
 */
export async function verifyMobileChange(db: Db, account: Account, typed: string, ctx: DetailsCtx): Promise<VerifyResult> {
  const config = getConfig();
  const now = nowOf(ctx);
  const failures = limits.mobileCodeFailuresPerAccount();
  const open = await openChange(db, account.id, now);
  if (!open) return (await lastChangeDone(db, account.id)) ? { kind: "already-changed" } : { kind: "ended" };
  const row = (r: Row) => auditRow(account, ctx, { flowId: open.id, ...r });

  if (!(await checkLimit(db, failures, account.id, now)).allowed) {
    await db.transaction(async (tx) => {
      if (await endChanges(tx, account.id, failures.reason, now, open.id)) {
        await recordAudit(tx, row({ event: "mobile.code_failed", outcome: "refused", reason: failures.reason }));
      }
    });
    return { kind: "ended" };
  }

  const old = account.mobile;
  const out: { checked: Checked; message: number | null } = { checked: { kind: "ended" }, message: null };
  const record: RecordChange = async (tx) => {
    out.checked = await checkInTransaction(tx, account, open.id, typed, ctx);
    if (out.checked.kind !== "match") return false;
    await recordAudit(
      tx,
      row({
        event: "mobile.changed",
        outcome: "success",
        reason: old ? "self-service" : "registered",
        details: { lastDigits: lastDigits(out.checked.newMobile) },
      }),
    );
    if (old) {
      // The old number's alert commits with the change (and is rolled back with it when a directory refuses).
      const locale = localeOf(ctx);
      const body = mobileChangedText(locale, config.orgName, lastDigits(out.checked.newMobile), config.helpdesk.phone);
      out.message = await queueNotification(
        tx,
        { kind: "mobile-changed", to: old, locale, body, flowId: open.id, userId: account.id },
        row({ event: "message.queued", outcome: "info" }),
        now,
      );
    }
    return true;
  };
  // The directory's entry is found before the record's transaction opens (see DirectoryStore.setMobile).
  if (!open.newMobile) return { kind: "ended" };
  await storeOf(db, ctx).setMobile(account, open.newMobile, now, record);

  const checked = out.checked;
  // A parallel submit of the same code may have completed the change meanwhile.
  if (checked.kind === "ended" && (await lastChangeDone(db, account.id))) return { kind: "already-changed" };
  if (checked.kind !== "match") return checked;
  if (out.message !== null) {
    const id = out.message;
    (ctx.schedule ?? countedSchedule(ctx.context.requestId))(async () => {
      await sendQueued(db, id, ctx.now, { ip: ctx.context.ip, userAgent: ctx.context.userAgent });
    });
  }
  return { kind: "changed", registered: old === null };
}

async function checkInTransaction(tx: Tx, account: Account, id: string, typed: string, ctx: DetailsCtx): Promise<Checked> {
  const now = nowOf(ctx);
  const policy = codePolicy(getConfig());
  const failures = limits.mobileCodeFailuresPerAccount();
  const row = (r: Row) => auditRow(account, ctx, { flowId: id, ...r });
  const [counted] = await tx
    .update(mobileChanges)
    .set({ codeAttempts: sql`${mobileChanges.codeAttempts} + 1` })
    .where(
      and(
        eq(mobileChanges.id, id),
        eq(mobileChanges.stage, "open"),
        lt(mobileChanges.codeAttempts, policy.maxCodeAttempts),
        gt(mobileChanges.expiresAt, now),
      ),
    )
    .returning();
  if (!counted) {
    if (await endChanges(tx, account.id, "too-many-attempts", now, id)) {
      await recordAudit(tx, row({ event: "mobile.code_failed", outcome: "refused", reason: "too-many-attempts" }));
    }
    return { kind: "ended" };
  }
  const verdict = checkCode({ codeHash: counted.codeHash, expiresAt: counted.codeExpiresAt }, id, PURPOSE, typed, now);
  if (verdict === "match" && counted.newMobile) {
    // Used once: a parallel submit of the same code finds the change ended.
    const [done] = await tx
      .update(mobileChanges)
      .set({ stage: "done", newMobile: null, codeHash: null, endedAt: now })
      .where(and(eq(mobileChanges.id, id), eq(mobileChanges.stage, "open")))
      .returning({ id: mobileChanges.id });
    return done ? { kind: "match", newMobile: counted.newMobile } : { kind: "ended" };
  }
  await hitLimit(tx, failures, account.id, now);
  const last = counted.codeAttempts >= policy.maxCodeAttempts;
  if (last) await endChanges(tx, account.id, "too-many-attempts", now, id);
  await recordAudit(
    tx,
    row({
      event: "mobile.code_failed",
      outcome: "failure",
      reason: last ? "too-many-attempts" : verdict === "expired" ? "expired-code" : "wrong-code",
      details: { attempts: counted.codeAttempts },
    }),
  );
  if (last) return { kind: "ended" };
  const left = attemptsLeft(counted.codeAttempts, policy);
  return verdict === "expired" ? { kind: "expired-code", attemptsLeft: left } : { kind: "wrong-code", attemptsLeft: left };
}

/** "Annuleren" on the code step: the change ends and its number is forgotten. */
export async function cancelMobileChange(db: Db, account: Account, ctx: DetailsCtx): Promise<void> {
  const now = nowOf(ctx);
  const open = await openChange(db, account.id, now);
  if (!open) return;
  await db.transaction(async (tx) => {
    if (await endChanges(tx, account.id, "cancelled", now, open.id)) {
      await recordAudit(tx, auditRow(account, ctx, { flowId: open.id, event: "mobile.change_cancelled", outcome: "info" }));
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// "Klopt dit nummer nog?" → yes.

export type ConfirmResult = { kind: "confirmed" } | { kind: "no-number" };

/** The registered number is still right: its confirmation date becomes now, with its audit row. */
export async function confirmCurrentMobile(db: Db, account: Account, ctx: DetailsCtx): Promise<ConfirmResult> {
  if (!account.mobile) return { kind: "no-number" };
  const now = nowOf(ctx);
  await storeOf(db, ctx).confirmMobile(account, now, async (tx) => {
    await recordAudit(
      tx,
      auditRow(account, ctx, {
        event: "mobile.confirmed",
        outcome: "success",
        reason: "reconfirm",
        details: { lastDigits: lastDigits(account.mobile!) },
      }),
    );
    return true;
  });
  return { kind: "confirmed" };
}
