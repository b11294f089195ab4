// The wizard's steps, one function each: start, CAPTCHA attempt, reason, number, resend, other method, code, new
// password, cancel. Each returns where the flow is now (a Step, never a URL) or an outcome the form shows; every state
// change commits together with its audit rows (lib/recovery/flow-store.ts).
import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { getAccountStore } from "@/lib/accounts";
import type { Account, AccountStore } from "@/lib/accounts/types";
import { endAllSessions } from "@/lib/auth/sessions";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { limits } from "@/lib/limits/policies";
import { checkLimit, hitLimit } from "@/lib/limits/rate-limit";
import { checkNewPassword } from "@/lib/password/check";
import type { PasswordRule } from "@/lib/password/policy";
import { maskedDigitsFor } from "@/lib/security/masked-digits";
import { subjectHash } from "@/lib/security/subject";
import { newToken } from "@/lib/security/token";
import { parsePhone, userIdKey } from "@/lib/users/normalize";
import {
  checkCode,
  consumeFlowCode,
  issueCode,
  newestFlowCode,
  storeFlowCode,
  voidFlowCodes,
  type CodePurpose,
} from "@/lib/verification/codes";
import { attemptsLeft } from "@/lib/verification/policy";
import { deliverCode, deliveryNotice, queueNotify, sendNotification, storeCode } from "./delivery";
import { codeExpired, type Channel, type Effect, type Intent } from "./flow";
import {
  auditFlow,
  commit,
  countCodeAttempt,
  createFlow,
  currentStep,
  decide,
  destination,
  flowAuditEvent,
  flowLimits,
  loadFlowById,
  save,
  saveIn,
  setDeliveryStatus,
  type Flow,
  type FlowAudit,
  type StepCtx,
} from "./flow-store";
import { forSubmission, type Destination } from "./step-paths";

export type { Destination } from "./step-paths";

/** A flow's account id, or one that matches nobody: the same lookups run for IDs without an account, so timing tells nothing. */
const NO_ACCOUNT = "00000000-0000-0000-0000-000000000000";

const accountsFor = (db: Db, ctx: StepCtx): AccountStore => ctx.accounts ?? getAccountStore(db, { clock: () => ctx.now ?? new Date() });
const nowOf = (ctx: StepCtx) => ctx.now ?? new Date();
const codePurpose = (flow: Pick<Flow, "intent">): CodePurpose => flow.intent ?? "reset";

// ---------------------------------------------------------------------------------------------------------------
// Starting: the CAPTCHA is checked by the caller.

export type StartResult =
  { kind: "started"; token: string; flowId: string } | { kind: "rate-limited"; retryAt: Date } | { kind: "blocked"; retryAt: Date };

/** Creates a flow for a typed user ID; unknown IDs get a flow too, so every ID walks the same pages. */
export async function startRecovery(db: Db, input: { typedId: string; intent: Intent | null } & StepCtx): Promise<StartResult> {
  const config = getConfig();
  const now = nowOf(input);
  const account = await accountsFor(db, input).find(input.typedId);
  const hash = subjectHash(input.typedId);
  const subject = account?.id ?? hash;
  const who = { userId: account?.id ?? null, subjectHash: account ? null : hash };
  const refuse = (reason: string) =>
    recordAudit(db, flowAuditEvent(null, input, { ...who, event: "recovery.rate_limited", outcome: "refused", reason }));

  const failures = limits.codeFailuresPerAccount(config);
  const blocked = await checkLimit(db, failures, subject, now);
  if (!blocked.allowed) {
    await refuse(failures.reason);
    return { kind: "blocked", retryAt: blocked.retryAt };
  }
  // The IP is checked first, so one address cannot use up someone else's daily starts once it is itself refused.
  const [ipPolicy, userPolicy] = [limits.flowStartsPerIp(config), limits.flowStartsPerUser(config)];
  const perIp = await hitLimit(db, ipPolicy, input.context.ip ?? "unknown", now);
  const perUser = perIp.allowed ? await hitLimit(db, userPolicy, subject, now) : perIp;
  if (!perUser.allowed) {
    await refuse(perIp.allowed ? userPolicy.reason : ipPolicy.reason);
    return { kind: "rate-limited", retryAt: perUser.retryAt };
  }

  const { token, tokenHash } = newToken();
  const flowId = await createFlow(
    db,
    {
      tokenHash,
      intent: input.intent,
      userId: account?.id ?? null,
      subjectHash: hash,
      maskedDigits: maskedDigitsFor(account?.mobile ?? null, userIdKey(input.typedId)),
      locale: input.context.locale === "en" ? "en" : "nl",
    },
    input,
    { event: "recovery.started", outcome: "success", reason: account ? null : "unknown-user-id" },
  );
  return { kind: "started", token, flowId };
}

/** Records a CAPTCHA answer against the IP (a wrong one is audited); says when the IP is over its limit. */
export async function noteCaptchaAttempt(
  db: Db,
  input: { ok: boolean; typedId: string } & StepCtx,
): Promise<{ limited: false } | { limited: true; retryAt: Date }> {
  const policy = limits.captchaPerIp(getConfig());
  const hit = await hitLimit(db, policy, input.context.ip ?? "unknown", nowOf(input));
  if (!input.ok) {
    await recordAudit(
      db,
      flowAuditEvent(null, input, {
        event: "recovery.captcha_failed",
        outcome: "failure",
        reason: "wrong-captcha",
        subjectHash: subjectHash(input.typedId),
      }),
    );
  }
  if (!hit.allowed) {
    await recordAudit(db, flowAuditEvent(null, input, { event: "recovery.rate_limited", outcome: "refused", reason: policy.reason }));
    return { limited: true, retryAt: hit.retryAt };
  }
  return { limited: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Reason, number, resend, other method.

/** "Waarom hebt u problemen bij het aanmelden?": reset or unlock. */
export async function chooseIntent(db: Db, flow: Flow, intent: Intent, ctx: StepCtx): Promise<Destination> {
  return destination(
    await commit(db, flow, { type: "choose-intent", intent }, ctx, () => ({
      event: "recovery.intent_chosen",
      outcome: "success",
      reason: intent,
    })),
  );
}

function sameNumber(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/**
 * Issues a code for a flow inside the step's transaction: older codes voided, only the hash kept, delivery pending, and
 * the code's message stored for `to`, the registered number. A flow whose number did not match (`to` null) gets a
 * withheld code: issued, hashed and stored the same way but already void, with a message row that holds no number and
 * no text and is never sent, so both kinds of flow do the same work (the number step took 3–5 ms longer for a matching
 * number when only that one wrote a code and a second audit row). Returns the message to send, or null.
 */
async function issueFlowCode(tx: Tx, flow: Flow, ctx: StepCtx, to: string | null): Promise<number | null> {
  const now = nowOf(ctx);
  const withheld = to === null;
  const issued = issueCode(flow.id, codePurpose(flow), now, flowLimits());
  await storeFlowCode(tx, flow.id, codePurpose(flow), flow.channel ?? "sms", issued, now, { withheld });
  await setDeliveryStatus(tx, flow, withheld ? null : "pending");
  const message = await storeCode(tx, flow, to, issued.code, issued.expiresAt, ctx);
  return withheld ? null : message;
}

/** The audit row of a code that goes out with a step, or of one withheld because the number did not match. */
const codeSent = (flow: Flow, withheld = false): FlowAudit =>
  withheld
    ? { event: "recovery.code_withheld", outcome: "info", reason: "phone-mismatch", details: { send: flow.sends } }
    : { event: "recovery.code_sent", outcome: "success", reason: flow.channel ?? "sms", details: { send: flow.sends } };

export type NumberOutcome = Destination | { kind: "invalid-number" } | { kind: "cooldown"; retryAt: Date } | { kind: "send-limit" };

/**
 * Compares the typed number with the registered one; the wizard moves on either way, but only a match sends a code.
 * `previous` is the number this browser typed last in the flow (kept in its sealed cookie, never in the database): a
 * different number is a correction and is not held up by the resend cooldown. Undefined or null: the cooldown holds.
 */
export async function submitNumber(
  db: Db,
  flow: Flow,
  input: { channel: Channel; typed: string; previous?: string | null } & StepCtx,
): Promise<NumberOutcome> {
  const parsed = parsePhone(input.typed);
  if (!parsed.ok) return { kind: "invalid-number" };
  const before = input.previous ? parsePhone(input.previous) : null;
  const correction = before !== null && (!before.ok || !sameNumber(before.e164, parsed.e164));
  const account = await accountsFor(db, input).get(flow.userId ?? NO_ACCOUNT);
  const registered = account?.mobile ?? null;
  const matched = registered !== null && sameNumber(parsed.e164, registered);
  const now = nowOf(input);
  const lastDeliveryFailed = (await deliveryNotice(db, flow, now)) === "failed";
  const decided = decide(flow, { type: "submit-number", channel: input.channel, matched, lastDeliveryFailed, correction }, now);
  if (!decided.ok) {
    if (decided.error.kind === "cooldown" || decided.error.kind === "send-limit") return decided.error;
    return currentStep(db, flow);
  }
  const result = await save(
    db,
    flow,
    decided,
    input,
    (s, effect) => [
      matched
        ? { event: "recovery.number_checked", outcome: "success", reason: input.channel, details: { lastDigits: s.maskedDigits } }
        : {
            event: "recovery.number_checked",
            outcome: "failure",
            reason: s.step === "ended" ? "phone-mismatch-limit" : "phone-mismatch",
            details: { mismatches: s.phoneMismatches },
          },
      ...(effect === "send-code" || effect === "pretend-send" ? [codeSent(s, effect === "pretend-send")] : []),
    ],
    async (tx, s, effect) => {
      if (effect === "send-code" || effect === "pretend-send")
        return issueFlowCode(tx, s, input, effect === "send-code" ? registered : null);
      // A wrong number voids any earlier code, so only a code sent after the last number typed can pass.
      await voidFlowCodes(tx, s.id, now);
      await setDeliveryStatus(tx, s, null);
      return null;
    },
  );
  if (result.kind === "saved" && typeof result.also === "number") deliverCode(db, result.flow, result.also, input);
  return destination(result);
}

export type ResendOutcome = Destination | { kind: "cooldown"; retryAt: Date } | { kind: "send-limit" };

/** "Opnieuw proberen": a new code after the cooldown, at most maxSends per flow; the old code stops counting. */
export async function resendCode(db: Db, flow: Flow, ctx: StepCtx): Promise<ResendOutcome> {
  const now = nowOf(ctx);
  const decided = decide(flow, { type: "resend", lastDeliveryFailed: (await deliveryNotice(db, flow, now)) === "failed" }, now);
  if (!decided.ok) {
    if (decided.error.kind === "cooldown" || decided.error.kind === "send-limit") {
      await auditFlow(db, flow, ctx, { event: "recovery.code_resend_refused", outcome: "refused", reason: decided.error.kind });
      return decided.error;
    }
    return currentStep(db, flow);
  }
  // The same lookup and the same writes whether or not a code goes out (see issueFlowCode).
  const account = await accountsFor(db, ctx).get(flow.userId ?? NO_ACCOUNT);
  const registered = decided.effect === "send-code" ? (account?.mobile ?? null) : null;
  const result = await save(
    db,
    flow,
    decided,
    ctx,
    (s) => codeSent(s, !registered),
    (tx, s) => issueFlowCode(tx, s, ctx, registered),
  );
  if (result.kind === "saved" && typeof result.also === "number") deliverCode(db, result.flow, result.also, ctx);
  return destination(result);
}

/** Back from the code page to choose another method or number. */
export async function changeMethod(db: Db, flow: Flow, ctx: StepCtx): Promise<Destination> {
  return destination(await commit(db, flow, { type: "change-method" }, ctx, () => ({ event: "recovery.method_change", outcome: "info" })));
}

/** "Annuleren" anywhere: the flow ends. */
export async function cancelFlow(db: Db, flow: Flow, ctx: StepCtx): Promise<void> {
  await commit(db, flow, { type: "cancel" }, ctx, () => ({ event: "recovery.cancelled", outcome: "info", reason: `at-${flow.step}` }));
}

// ---------------------------------------------------------------------------------------------------------------
// The code.

export type CodeOutcome = Destination | { kind: "wrong-code"; attemptsLeft: number } | { kind: "expired-code"; attemptsLeft: number };

type Checked = { kind: "verified"; flow: Flow; effect: Effect } | { kind: "done"; outcome: CodeOutcome };

/**
 * Checks a typed code. The blocked account is refused first. Then, in one transaction: the try is counted by one atomic
 * update (which also holds the flow's row, so parallel tries queue; the try after the last allowed one is refused even
 * when right), the newest code is compared in constant time and used once, and the flow's next step commits with its
 * audit rows. For an unlock the whole check runs as the account store's record, so the unlock commits with it.
 */
export async function verifyCode(db: Db, flow: Flow, typed: string, ctx: StepCtx): Promise<CodeOutcome> {
  const config = getConfig();
  const now = nowOf(ctx);
  const failures = limits.codeFailuresPerAccount(config);
  const subject = flow.userId ?? flow.subjectHash;

  if (!(await checkLimit(db, failures, subject, now)).allowed) {
    const blocked = await commit(db, flow, { type: "block" }, ctx, () => ({
      event: "recovery.rate_limited",
      outcome: "refused",
      reason: failures.reason,
    }));
    // Someone else moved the flow meanwhile: the refusal is still on record.
    if (blocked.kind !== "saved") {
      await auditFlow(db, flow, ctx, { event: "recovery.rate_limited", outcome: "refused", reason: failures.reason });
    }
    return { kind: "moved", step: "ended" };
  }

  const store = accountsFor(db, ctx);
  const account = flow.intent === "unlock" && flow.userId ? await store.get(flow.userId) : null;
  const out: { checked: Checked; message: number | null } = {
    checked: { kind: "done", outcome: { kind: "moved", step: flow.step } },
    message: null,
  };
  const record = async (tx: Tx) => {
    out.checked = await checkInTransaction(tx, flow, typed, account, ctx);
    const unlocking = out.checked.kind === "verified" && out.checked.effect === "unlock-account";
    // The alert commits with the unlock (and is rolled back with it when the directory refuses).
    if (unlocking && out.checked.kind === "verified") out.message = await queueNotify(tx, out.checked.flow, account, "unlock", ctx);
    return unlocking;
  };
  if (account) await store.unlock(account, record);
  else await db.transaction(record);

  const checked = out.checked;
  if (checked.kind === "done") return checked.outcome;
  if (checked.effect === "unlock-account") sendNotification(db, out.message, ctx);
  return { kind: "moved", step: checked.flow.step };
}

/**
 * Whether a wrong code counts against the account: only when the flow's code really went (or is going) to the
 * registered number. A flow whose typed number did not match never had a code, so its guesses say nothing about the
 * account and must not let a stranger block it; that flow still ends after its own tries, with the same answers.
 */
function codeReachedAccount(flow: Flow, code: { id: number } | null): boolean {
  return code !== null && flow.phoneMatched && (flow.deliveryStatus === "pending" || flow.deliveryStatus === "sent");
}

async function checkInTransaction(tx: Tx, flow: Flow, typed: string, account: Account | null, ctx: StepCtx): Promise<Checked> {
  const now = nowOf(ctx);
  const lim = flowLimits();
  const current = await countCodeAttempt(tx, flow, lim.maxCodeAttempts, now);
  if (!current) {
    const latest = await loadFlowById(tx, flow.id);
    if (latest.step !== "code") return { kind: "done", outcome: { kind: "moved", step: latest.step } };
    const decided = decide(latest, { type: "code-failed", attempts: lim.maxCodeAttempts }, now);
    const row = { event: "recovery.code_failed", outcome: "refused", reason: "too-many-attempts" } as const;
    const saved = decided.ok ? await saveIn(tx, latest, decided, ctx, () => row) : null;
    if (!saved) await auditFlow(tx, latest, ctx, row);
    return { kind: "done", outcome: { kind: "moved", step: "ended" } };
  }

  const attempts = current.codeAttempts;
  const expired = codeExpired(current, now, lim);
  const code = await newestFlowCode(tx, flow.id);
  const verdict = expired ? "expired" : checkCode(code, flow.id, codePurpose(current), typed, now);

  if (verdict === "match" && code) {
    // Used once: a parallel request that used it first has moved the flow on.
    if (!(await consumeFlowCode(tx, code.id, now))) return { kind: "done", outcome: await currentStep(tx, flow) };
    const decided = decide(current, { type: "code-verified" }, now);
    if (!decided.ok) return { kind: "done", outcome: { kind: "moved", step: current.step } };
    const unlocks = decided.effect === "unlock-account" && account !== null;
    const saved = await saveIn(tx, current, decided, ctx, () => [
      { event: "recovery.code_verified", outcome: "success" },
      ...(unlocks ? [{ event: "account.unlocked", outcome: "success", reason: "self-service" } as const] : []),
    ]);
    if (!saved) return { kind: "done", outcome: await currentStep(tx, flow) };
    return { kind: "verified", flow: saved, effect: unlocks ? "unlock-account" : "none" };
  }

  // Both kinds of flow do the same write (a guess in a flow without a code is counted on the flow's own key), so the
  // time a wrong code takes tells nothing about whether the typed number matched.
  const counted = codeReachedAccount(current, code) ? (flow.userId ?? flow.subjectHash) : `unsent-code:${flow.id}`;
  await hitLimit(tx, limits.codeFailuresPerAccount(getConfig()), counted, now);
  const decided = decide(current, { type: "code-failed", attempts }, now);
  const saved = decided.ok
    ? await saveIn(tx, current, decided, ctx, (s) => ({
        event: "recovery.code_failed",
        outcome: "failure",
        reason: s.step === "ended" ? "too-many-attempts" : expired ? "expired-code" : "wrong-code",
        details: { attempts },
      }))
    : null;
  const after = saved ?? current;
  if (after.step !== "code") return { kind: "done", outcome: { kind: "moved", step: after.step } };
  const left = attemptsLeft(attempts, lim);
  return { kind: "done", outcome: expired ? { kind: "expired-code", attemptsLeft: left } : { kind: "wrong-code", attemptsLeft: left } };
}

// ---------------------------------------------------------------------------------------------------------------
// The new password.

export type PasswordOutcome =
  | Destination
  /** previousPasswordReplaced: AD's two-step reset refused the new password after replacing the old one (see AccountStore). */
  | { kind: "rules"; rules: PasswordRule[]; previousPasswordReplaced?: true };

/**
 * Sets the new password once. The portal's rules come first (named, then guessable); only a password that passes them
 * meets the account store's history check (Argon2, outside any transaction). The change, the flow's last step, the end of every session and the
 * audit row commit together.
 */
export async function chooseNewPassword(
  db: Db,
  flow: Flow,
  input: { password: string; confirmation: string } & StepCtx,
): Promise<PasswordOutcome> {
  const store = accountsFor(db, input);
  const account = flow.userId ? await store.get(flow.userId) : null;
  if (!account) return { kind: "restart" };
  const reject = async (rules: PasswordRule[], previousPasswordReplaced = false): Promise<PasswordOutcome> => {
    await auditFlow(db, flow, input, {
      event: "recovery.password_rejected",
      outcome: "failure",
      reason: rules.join(","),
      // AD's two-step reset: the old password is gone (replaced by a random one); the account is unlocked.
      ...(previousPasswordReplaced ? { details: { previousPasswordReplaced } } : {}),
    });
    return previousPasswordReplaced ? { kind: "rules", rules, previousPasswordReplaced } : { kind: "rules", rules };
  };
  // The portal's own rules (named, guessable); the history is the store's (the builtin tables, or the directory's).
  const owner = { id: null, email: account.userId, firstName: account.firstName, lastName: account.lastName };
  const rules = await checkNewPassword(db, { password: input.password, confirmation: input.confirmation, owner });
  if (rules.length) return reject(rules);

  // A password that lost to another request (a second tab, Back after "done") was not set: never the done page for it.
  const decided = decide(flow, { type: "password-set" }, nowOf(input));
  if (!decided.ok) return forSubmission(await currentStep(db, flow));
  const out: { saved: Flow | null; message: number | null } = { saved: null, message: null };
  const result = await store.setPassword(account, input.password, async (tx) => {
    out.saved = await saveIn(tx, flow, decided, input, () => ({ event: "password.reset", outcome: "success", reason: "self-service" }));
    if (out.saved) {
      await endAllSessions(tx, account.id);
      // The user's alert commits with the change, or neither does.
      out.message = await queueNotify(tx, out.saved, account, "reset", input);
    }
    return out.saved !== null;
  });
  if (result.kind === "refused") return reject(result.rules, result.previousPasswordReplaced === true);
  const saved = out.saved;
  if (result.kind === "superseded" || !saved) return forSubmission(await currentStep(db, flow));
  sendNotification(db, out.message, input);
  return { kind: "moved", step: saved.step };
}
