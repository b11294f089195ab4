// The recovery wizard's I/O: loads and saves flows, checks numbers and codes, sends messages, changes accounts, audits.
import "server-only";
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { recordAudit, type AuditEvent, type AuditOutcome } from "@/lib/audit/record";
import { getConfig, type AppConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { passwordHistory, recoveryFlows, users, verificationCodes } from "@/lib/db/schema";
import { hitLimit, checkLimit, type Limit } from "@/lib/limits/rate-limit";
import { noteSendOutcome, readProviderHealth, sendWouldHaveFailed } from "@/lib/messaging/provider-health";
import { admitMessage, breakerOpen } from "@/lib/messaging/spend-guard";
import { codeText, notificationText } from "@/lib/messaging/texts";
import { getTransport, type Channel, type OutgoingMessage, type SendResult } from "@/lib/messaging/transport";
import { hashPassword } from "@/lib/password/hash";
import { checkNewPassword, historyEntry } from "@/lib/password/check";
import { type PasswordRule } from "@/lib/password/policy";
import { keyedHash } from "@/lib/security/keyed-hash";
import { maskedDigitsFor } from "@/lib/security/masked-digits";
import type { RequestContext } from "@/lib/security/request-context";
import { parsePhone, userIdKey } from "@/lib/users/normalize";
import {
  codeExpired,
  cooldownUntil,
  secondsUntil,
  isExpired,
  pageForStep,
  transition,
  type EndReason,
  type FlowEvent,
  type FlowLimits,
  type FlowState,
  type Intent,
  type Step,
} from "./flow";

/** What became of the newest code's delivery; `refused` = the spend guard would not send to the stored number. */
export type DeliveryStatus = "pending" | "sent" | "failed" | "paused" | "refused";

export type Flow = FlowState & {
  id: string;
  userId: string | null;
  subjectHash: string;
  maskedDigits: string;
  locale: "nl" | "en";
  deliveryStatus: DeliveryStatus | null;
};

export type Deferred = () => Promise<void>;

/** Work that must not delay the response (delivery), so timing never tells whether a number matched. */
export type Scheduler = (task: Deferred) => void;

type Ctx = { context: RequestContext; now?: Date; schedule?: Scheduler };

export function flowLimits(config: AppConfig = getConfig()): FlowLimits {
  const r = config.recovery;
  return {
    maxPhoneMismatches: r.maxPhoneMismatches,
    maxCodeAttempts: r.maxCodeAttempts,
    maxSends: r.maxSends,
    resendCooldownSeconds: r.resendCooldownSeconds,
    codeTtlSeconds: r.codeTtlMinutes * 60,
  };
}

const limits = {
  flowsPerUser: (c: AppConfig): Limit => ({ name: "flow-start:user", max: c.limits.flowsPerUserPerDay, windowSeconds: 86_400 }),
  flowsPerIp: (c: AppConfig): Limit => ({ name: "flow-start:ip", max: c.limits.flowsPerIpPerHour, windowSeconds: 3_600 }),
  captchaPerIp: (c: AppConfig): Limit => ({ name: "captcha:ip", max: c.limits.captchaPerIpPerHour, windowSeconds: 3_600 }),
  codeFailures: (c: AppConfig): Limit => ({
    name: "code-failures:account",
    max: c.limits.codeFailuresPerAccountPerDay,
    windowSeconds: 86_400,
  }),
};

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const subjectOf = (flow: Pick<Flow, "userId" | "subjectHash">) => flow.userId ?? flow.subjectHash;

function audit(db: Db | Tx, flow: Flow | null, ctx: Ctx, e: { event: string; outcome: AuditOutcome } & Partial<AuditEvent>) {
  return recordAudit(db, {
    ...e,
    flowId: flow?.id ?? e.flowId ?? null,
    userId: flow?.userId ?? e.userId ?? null,
    subjectHash: flow ? (flow.userId ? null : flow.subjectHash) : (e.subjectHash ?? null),
    ip: ctx.context.ip,
    userAgent: ctx.context.userAgent,
    locale: ctx.context.locale,
    at: ctx.now,
  });
}

export { maskedDigitsFor };

// ---------------------------------------------------------------------------------------------------------------
// Starting: CAPTCHA already checked by the caller.

export type StartResult =
  { kind: "started"; token: string; flowId: string } | { kind: "rate-limited"; retryAt: Date } | { kind: "blocked"; retryAt: Date };

/** Creates a flow for a typed user ID; unknown IDs get a flow too, so every ID walks the same pages. */
export async function startRecovery(db: Db, input: { typedId: string; intent: Intent | null } & Ctx): Promise<StartResult> {
  const config = getConfig();
  const now = input.now ?? new Date();
  const idKey = userIdKey(input.typedId);
  const subjectHash = keyedHash("user-id", idKey);
  const [user] = await db.select({ id: users.id, mobile: users.mobile }).from(users).where(eq(users.emailKey, idKey)).limit(1);
  const subject = user?.id ?? subjectHash;
  const base = { subjectHash: user ? null : subjectHash, userId: user?.id ?? null };

  const blocked = await checkLimit(db, limits.codeFailures(config), subject, now);
  if (!blocked.allowed) {
    await audit(db, null, input, { ...base, event: "recovery.rate_limited", outcome: "refused", reason: "code-failures-per-account" });
    return { kind: "blocked", retryAt: blocked.retryAt };
  }
  // The IP is checked first, so one address cannot use up someone else's daily starts once it is itself refused.
  const perIp = await hitLimit(db, limits.flowsPerIp(config), input.context.ip ?? "unknown", now);
  const perUser = perIp.allowed ? await hitLimit(db, limits.flowsPerUser(config), subject, now) : perIp;
  if (!perUser.allowed) {
    await audit(db, null, input, {
      ...base,
      event: "recovery.rate_limited",
      outcome: "refused",
      reason: perIp.allowed ? "flow-starts-per-user" : "flow-starts-per-ip",
    });
    return { kind: "rate-limited", retryAt: perUser.retryAt };
  }

  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + config.recovery.flowTtlMinutes * 60_000);
  const [row] = await db
    .insert(recoveryFlows)
    .values({
      tokenHash: hashToken(token),
      step: "intent",
      intent: input.intent,
      userId: user?.id ?? null,
      subjectHash,
      maskedDigits: maskedDigitsFor(user?.mobile ?? null, idKey),
      locale: input.context.locale === "en" ? "en" : "nl",
      createdAt: now,
      updatedAt: now,
      expiresAt,
    })
    .returning({ id: recoveryFlows.id });
  await audit(db, null, input, {
    ...base,
    flowId: row!.id,
    event: "recovery.started",
    outcome: "success",
    reason: user ? null : "unknown-user-id",
  });
  return { kind: "started", token, flowId: row!.id };
}

/** Records a CAPTCHA failure and counts it against the IP; true when the IP is over its limit. */
export async function noteCaptchaAttempt(
  db: Db,
  input: { ok: boolean; typedId: string } & Ctx,
): Promise<{ limited: false } | { limited: true; retryAt: Date }> {
  const config = getConfig();
  const now = input.now ?? new Date();
  const hit = await hitLimit(db, limits.captchaPerIp(config), input.context.ip ?? "unknown", now);
  if (!input.ok) {
    await audit(db, null, input, {
      event: "recovery.captcha_failed",
      outcome: "failure",
      reason: "wrong-captcha",
      subjectHash: keyedHash("user-id", userIdKey(input.typedId)),
    });
  }
  if (!hit.allowed) {
    await audit(db, null, input, { event: "recovery.rate_limited", outcome: "refused", reason: "captcha-per-ip" });
    return { limited: true, retryAt: hit.retryAt };
  }
  return { limited: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading and guarding.

function toFlow(row: typeof recoveryFlows.$inferSelect): Flow {
  return {
    id: row.id,
    step: row.step as Step,
    intent: (row.intent as Intent | null) ?? null,
    channel: (row.channel as Channel | null) ?? null,
    phoneMatched: row.phoneMatched,
    phoneMismatches: row.phoneMismatches,
    codeAttempts: row.codeAttempts,
    sends: row.sends,
    lastSentAt: row.lastSentAt,
    expiresAt: row.expiresAt,
    endedReason: (row.endedReason as EndReason | null) ?? null,
    userId: row.userId,
    subjectHash: row.subjectHash,
    maskedDigits: row.maskedDigits,
    locale: row.locale === "en" ? "en" : "nl",
    deliveryStatus: (row.deliveryStatus as DeliveryStatus | null) ?? null,
  };
}

export async function loadFlow(db: Db | Tx, token: string | null): Promise<Flow | null> {
  if (!token) return null;
  const [row] = await db
    .select()
    .from(recoveryFlows)
    .where(eq(recoveryFlows.tokenHash, hashToken(token)))
    .limit(1);
  return row ? toFlow(row) : null;
}

export type Guard = { kind: "ok"; flow: Flow } | { kind: "redirect"; to: string };

/**
 * Re-reads the flow and allows only its real step: an expired flow is ended, and a request for any other step is
 * refused, audited and sent to the step the flow is really on.
 */
export async function guardStep(db: Db, token: string | null, expected: Step | readonly Step[], ctx: Ctx): Promise<Guard> {
  const now = ctx.now ?? new Date();
  let flow = await loadFlow(db, token);
  if (!flow) return { kind: "redirect", to: "/recover" };
  if (isExpired(flow, now)) {
    flow = (await saveTransition(db, flow, { type: "expire" }, ctx)) ?? flow;
    await audit(db, flow, ctx, { event: "recovery.expired", outcome: "info", reason: "flow-expired" });
  }
  const allowed = typeof expected === "string" ? [expected] : expected;
  if (allowed.includes(flow.step)) return { kind: "ok", flow };
  await audit(db, flow, ctx, {
    event: "recovery.step_violation",
    outcome: "refused",
    reason: `wanted-${allowed.join("|")}-at-${flow.step}`,
  });
  return { kind: "redirect", to: pageForStep(flow.step) };
}

/**
 * Applies one transition and saves it only if nobody changed the flow meanwhile (optimistic check on step and
 * counters), so a replayed cookie or a second tab can never roll a counter back. Returns the saved flow or null.
 */
async function saveTransition(db: Db | Tx, flow: Flow, event: FlowEvent, ctx: Ctx): Promise<Flow | null> {
  const now = ctx.now ?? new Date();
  const result = transition(flow, event, now, flowLimits());
  if (!result.ok) return null;
  const s = result.state;
  const updated = await db
    .update(recoveryFlows)
    .set({
      step: s.step,
      intent: s.intent,
      channel: s.channel,
      phoneMatched: s.phoneMatched,
      phoneMismatches: s.phoneMismatches,
      codeAttempts: s.codeAttempts,
      sends: s.sends,
      lastSentAt: s.lastSentAt,
      endedReason: s.endedReason,
      updatedAt: now,
    })
    .where(
      and(
        eq(recoveryFlows.id, flow.id),
        eq(recoveryFlows.step, flow.step),
        eq(recoveryFlows.sends, flow.sends),
        eq(recoveryFlows.codeAttempts, flow.codeAttempts),
        eq(recoveryFlows.phoneMismatches, flow.phoneMismatches),
      ),
    )
    .returning({ id: recoveryFlows.id });
  return updated.length ? { ...flow, ...s } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps.

export type Moved = { kind: "moved"; to: string };
export type StepResult<E extends string = never> =
  Moved | { kind: "error"; error: E; retryAt?: Date; attemptsLeft?: number; rules?: PasswordRule[] };

export async function chooseIntent(db: Db, flow: Flow, intent: Intent, ctx: Ctx): Promise<Moved> {
  const saved = await saveTransition(db, flow, { type: "choose-intent", intent }, ctx);
  if (!saved) return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
  await audit(db, saved, ctx, { event: "recovery.intent_chosen", outcome: "success", reason: intent });
  return { kind: "moved", to: pageForStep(saved.step) };
}

async function loadFlowById(db: Db | Tx, id: string): Promise<Flow> {
  const [row] = await db.select().from(recoveryFlows).where(eq(recoveryFlows.id, id)).limit(1);
  return toFlow(row!);
}

/** The same query runs for IDs without an account (it finds nothing), so timing does not tell them apart. */
async function registeredMobile(db: Db | Tx, flow: Flow): Promise<string | null> {
  const id = flow.userId ?? "00000000-0000-0000-0000-000000000000";
  const [u] = await db.select({ mobile: users.mobile }).from(users).where(eq(users.id, id)).limit(1);
  return u?.mobile ?? null;
}

function sameNumber(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

export type NumberError = "invalid-number" | "cooldown" | "send-limit";

/** Compares the typed number with the registered one; the wizard moves on either way, but only a match sends a code. */
export async function submitNumber(db: Db, flow: Flow, input: { channel: Channel; typed: string } & Ctx): Promise<StepResult<NumberError>> {
  const parsed = parsePhone(input.typed);
  if (!parsed.ok) return { kind: "error", error: "invalid-number" };
  const registered = await registeredMobile(db, flow);
  const matched = registered !== null && sameNumber(parsed.e164, registered);
  const now = input.now ?? new Date();
  const event = {
    type: "submit-number",
    channel: input.channel,
    matched,
    lastDeliveryFailed: (await deliveryNotice(db, flow, now)) === "failed",
  } as const;
  const result = transition(flow, event, now, flowLimits());
  if (!result.ok) {
    if (result.error.kind === "cooldown") return { kind: "error", error: "cooldown", retryAt: result.error.retryAt };
    if (result.error.kind === "send-limit") return { kind: "error", error: "send-limit" };
    return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
  }
  const saved = await db.transaction(async (tx) => {
    const s = await saveTransition(tx, flow, event, input);
    if (!s) return null;
    await audit(
      tx,
      s,
      input,
      matched
        ? { event: "recovery.number_checked", outcome: "success", reason: input.channel, details: { lastDigits: s.maskedDigits } }
        : {
            event: "recovery.number_checked",
            outcome: "failure",
            reason: s.step === "ended" ? "phone-mismatch-limit" : "phone-mismatch",
            details: { mismatches: s.phoneMismatches },
          },
    );
    if (result.effect === "send-code") await issueCode(db, tx, s, registered!, input);
    else {
      // A wrong number voids any earlier code, so only a code sent after the last number typed can pass.
      await voidCodes(tx, s.id, input.now ?? new Date());
      await setDeliveryStatus(tx, s, null);
    }
    return s;
  });
  if (!saved) return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
  return { kind: "moved", to: pageForStep(saved.step) };
}

export type ResendError = "cooldown" | "send-limit";

/** "Opnieuw proberen": a new code after the cooldown, at most maxSends per flow; the old code stops counting. */
export async function resendCode(db: Db, flow: Flow, ctx: Ctx): Promise<StepResult<ResendError>> {
  const now = ctx.now ?? new Date();
  const event = { type: "resend", lastDeliveryFailed: (await deliveryNotice(db, flow, now)) === "failed" } as const;
  const result = transition(flow, event, now, flowLimits());
  if (!result.ok) {
    if (result.error.kind === "cooldown") {
      await audit(db, flow, ctx, { event: "recovery.code_resend_refused", outcome: "refused", reason: "cooldown" });
      return { kind: "error", error: "cooldown", retryAt: result.error.retryAt };
    }
    if (result.error.kind === "send-limit") {
      await audit(db, flow, ctx, { event: "recovery.code_resend_refused", outcome: "refused", reason: "send-limit" });
      return { kind: "error", error: "send-limit" };
    }
    return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
  }
  const registered = result.effect === "send-code" ? await registeredMobile(db, flow) : null;
  const saved = await db.transaction(async (tx) => {
    const s = await saveTransition(tx, flow, event, ctx);
    if (!s) return null;
    if (registered) await issueCode(db, tx, s, registered, ctx);
    else {
      await setDeliveryStatus(tx, s, null);
      await audit(tx, s, ctx, { event: "recovery.code_resent", outcome: "info", reason: "not-sent-no-match" });
    }
    return s;
  });
  if (!saved) return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
  return { kind: "moved", to: pageForStep(saved.step) };
}

/** Back from the code page to choose another method or number. */
export async function changeMethod(db: Db, flow: Flow, ctx: Ctx): Promise<Moved> {
  const saved = await saveTransition(db, flow, { type: "change-method" }, ctx);
  if (saved) await audit(db, saved, ctx, { event: "recovery.method_change", outcome: "info" });
  return { kind: "moved", to: pageForStep((saved ?? (await loadFlowById(db, flow.id))).step) };
}

async function voidCodes(tx: Tx, flowId: string, now: Date): Promise<void> {
  await tx
    .update(verificationCodes)
    .set({ voidedAt: now })
    .where(and(eq(verificationCodes.flowId, flowId), isNull(verificationCodes.voidedAt), isNull(verificationCodes.usedAt)));
}

function codeHash(flowId: string, purpose: string, code: string): string {
  return keyedHash("verification-code", `${flowId}:${purpose}:${code}`);
}

/** Generates a code, voids the older ones, stores only its keyed hash, and hands delivery to the scheduler. */
async function issueCode(db: Db, tx: Tx, flow: Flow, to: string, ctx: Ctx): Promise<void> {
  const config = getConfig();
  const now = ctx.now ?? new Date();
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const purpose = flow.intent ?? "reset";
  await voidCodes(tx, flow.id, now);
  await tx.insert(verificationCodes).values({
    flowId: flow.id,
    purpose,
    codeHash: codeHash(flow.id, purpose, code),
    channel: flow.channel ?? "sms",
    createdAt: now,
    expiresAt: new Date(now.getTime() + config.recovery.codeTtlMinutes * 60_000),
  });
  await audit(tx, flow, ctx, {
    event: "recovery.code_sent",
    outcome: "success",
    reason: flow.channel ?? "sms",
    details: { send: flow.sends },
  });
  await setDeliveryStatus(tx, flow, "pending");
  const channel = flow.channel ?? "sms";
  const body = codeText(flow.locale, channel, config.orgName, code, config.recovery.codeTtlMinutes);
  deliver(db, ctx, { to, channel, locale: flow.locale, body, purpose: "code", flowId: flow.id }, flow);
}

/**
 * Hands a message to the transport after the response (via the scheduler): the spend guard first, then exactly one
 * send; the outcome is audited (with the provider's error code), kept as the provider's health, and, for a code, on
 * the flow, so the code page can say that no code could be sent.
 */
function deliver(db: Db, ctx: Ctx, message: OutgoingMessage, flow: Flow): void {
  const reason = `${message.purpose}:${message.channel}`;
  const task = async () => {
    const startedAt = new Date();
    const admitted = await admitMessage(db, message.to, ctx.now ?? startedAt);
    if (!admitted.ok) {
      await audit(db, flow, ctx, { event: "message.refused", outcome: "refused", reason, details: { rule: admitted.reason } });
      if (message.purpose === "code") await setDeliveryStatus(db, flow, admitted.reason === "breaker" ? "paused" : "refused");
      return;
    }
    const transport = getTransport();
    let result: SendResult;
    try {
      result = await transport.send(db, message);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.name : "error" };
    }
    const tookMs = Date.now() - startedAt.getTime();
    await noteSendOutcome(db, transport.name, { ok: result.ok, tookMs }, new Date((ctx.now ?? startedAt).getTime() + tookMs));
    await audit(
      db,
      flow,
      ctx,
      result.ok
        ? {
            event: "message.handed_over",
            outcome: "success",
            reason,
            details: { transport: transport.name, providerId: result.providerId },
          }
        : {
            event: "message.failed",
            outcome: "failure",
            reason,
            details: {
              transport: transport.name,
              error: result.error,
              providerCode: result.providerCode ?? null,
              httpStatus: result.httpStatus ?? null,
            },
          },
    );
    if (message.purpose === "code") await setDeliveryStatus(db, flow, result.ok ? "sent" : "failed");
  };
  (ctx.schedule ?? ((t) => void t().catch((e: unknown) => console.error("delivery failed", e instanceof Error ? e.message : e))))(task);
}

/** Only for the send it belongs to: a later send (more sends on the flow) has its own outcome. */
async function setDeliveryStatus(db: Db | Tx, flow: Flow, status: DeliveryStatus | null): Promise<void> {
  await db
    .update(recoveryFlows)
    .set({ deliveryStatus: status })
    .where(and(eq(recoveryFlows.id, flow.id), eq(recoveryFlows.sends, flow.sends)));
}

export type DeliveryNotice = "failed" | "paused" | null;

/**
 * What the code page says about delivery. A flow whose number matched shows its own send's outcome; a flow that sent
 * nothing shows what a real send would have met right now (the breaker, or a failing provider, after as long as a
 * failure takes), so the page never tells whether the typed number matched.
 */
export async function deliveryNotice(db: Db, flow: Flow, now = new Date()): Promise<DeliveryNotice> {
  if (!flow.lastSentAt) return null;
  if (flow.deliveryStatus === "failed" || flow.deliveryStatus === "paused") return flow.deliveryStatus;
  if (flow.deliveryStatus !== null) return null;
  if (await breakerOpen(db, now)) return "paused";
  return sendWouldHaveFailed(await readProviderHealth(db, getTransport().name), flow.lastSentAt, now) ? "failed" : null;
}

export type CodeError = "wrong-code" | "expired-code" | "blocked";

/**
 * Checks a typed code: the attempt is counted first by one atomic update (the 6th try is refused even when right),
 * then the newest unused code is compared in constant time and consumed once.
 */
export async function verifyCode(db: Db, flow: Flow, typed: string, ctx: Ctx): Promise<StepResult<CodeError>> {
  const config = getConfig();
  const now = ctx.now ?? new Date();
  const lim = flowLimits();
  const subject = subjectOf(flow);

  const blocked = await checkLimit(db, limits.codeFailures(config), subject, now);
  if (!blocked.allowed) {
    const s = await saveTransition(db, flow, { type: "block" }, ctx);
    await audit(db, s ?? flow, ctx, { event: "recovery.rate_limited", outcome: "refused", reason: "code-failures-per-account" });
    return { kind: "moved", to: "/recover/ended" };
  }

  const counted = await db
    .update(recoveryFlows)
    .set({ codeAttempts: sql`${recoveryFlows.codeAttempts} + 1`, updatedAt: now })
    .where(and(eq(recoveryFlows.id, flow.id), eq(recoveryFlows.step, "code"), sql`${recoveryFlows.codeAttempts} < ${lim.maxCodeAttempts}`))
    .returning({ attempts: recoveryFlows.codeAttempts });
  if (!counted.length) {
    const current = await loadFlowById(db, flow.id);
    if (current.step === "code") {
      const s = await saveTransition(db, current, { type: "code-failed", attempts: lim.maxCodeAttempts }, ctx);
      await audit(db, s ?? current, ctx, { event: "recovery.code_failed", outcome: "refused", reason: "too-many-attempts" });
      return { kind: "moved", to: "/recover/ended" };
    }
    return { kind: "moved", to: pageForStep(current.step) };
  }
  const attempts = counted[0]!.attempts;
  const purpose = flow.intent ?? "reset";
  const expired = codeExpired(flow, now, lim);
  const [code] = await db
    .select()
    .from(verificationCodes)
    .where(and(eq(verificationCodes.flowId, flow.id), isNull(verificationCodes.voidedAt), isNull(verificationCodes.usedAt)))
    .orderBy(desc(verificationCodes.id))
    .limit(1);
  const typedHash = Buffer.from(codeHash(flow.id, purpose, typed));
  const matches =
    code !== undefined &&
    !expired &&
    code.expiresAt > now &&
    code.purpose === purpose &&
    timingSafeEqual(typedHash, Buffer.from(code.codeHash));

  if (matches) {
    const outcome = await db.transaction(async (tx) => {
      const used = await tx
        .update(verificationCodes)
        .set({ usedAt: now })
        .where(and(eq(verificationCodes.id, code.id), isNull(verificationCodes.usedAt)))
        .returning({ id: verificationCodes.id });
      if (!used.length) return null;
      // Lock the flow row: a wrong code counted in parallel between this read and the save would otherwise make the
      // save miss and leave the right code spent with the flow still on the code step.
      const [locked] = await tx.select().from(recoveryFlows).where(eq(recoveryFlows.id, flow.id)).for("update");
      const current = toFlow(locked!);
      const result = transition(current, { type: "code-verified" }, now, lim);
      if (!result.ok) return null;
      const s = await saveTransition(tx, current, { type: "code-verified" }, ctx);
      if (!s) return null;
      await audit(tx, s, ctx, { event: "recovery.code_verified", outcome: "success" });
      if (result.effect === "unlock-account" && s.userId) {
        await tx.update(users).set({ lockedAt: null, lockedUntil: null, failedSignIns: 0, updatedAt: now }).where(eq(users.id, s.userId));
        await audit(tx, s, ctx, { event: "account.unlocked", outcome: "success", reason: "self-service" });
      }
      return { flow: s, effect: result.effect };
    });
    if (!outcome) return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
    if (outcome.effect === "unlock-account") await notify(db, outcome.flow, "unlock", ctx);
    return { kind: "moved", to: pageForStep(outcome.flow.step) };
  }

  await hitLimit(db, limits.codeFailures(config), subject, now);
  const current = await loadFlowById(db, flow.id);
  const s = await saveTransition(db, current, { type: "code-failed", attempts }, ctx);
  const after = s ?? current;
  await audit(db, after, ctx, {
    event: "recovery.code_failed",
    outcome: "failure",
    reason: after.step === "ended" ? "too-many-attempts" : expired ? "expired-code" : "wrong-code",
    details: { attempts },
  });
  if (after.step !== "code") return { kind: "moved", to: pageForStep(after.step) };
  return { kind: "error", error: expired ? "expired-code" : "wrong-code", attemptsLeft: lim.maxCodeAttempts - attempts };
}

export type PasswordError = "rules";

/** Sets the new password: hash, history, unlock, end other sessions and the audit row in one transaction, once. */
export async function chooseNewPassword(
  db: Db,
  flow: Flow,
  input: { password: string; confirmation: string } & Ctx,
): Promise<StepResult<PasswordError>> {
  const now = input.now ?? new Date();
  if (!flow.userId) return { kind: "moved", to: "/recover" };
  const [user] = await db
    .select({ email: users.email, firstName: users.firstName, lastName: users.lastName })
    .from(users)
    .where(eq(users.id, flow.userId))
    .limit(1);
  if (!user) return { kind: "moved", to: "/recover" };
  const rules = await checkNewPassword(db, {
    password: input.password,
    confirmation: input.confirmation,
    owner: { id: flow.userId, ...user },
  });
  if (rules.length) {
    await audit(db, flow, input, { event: "recovery.password_rejected", outcome: "failure", reason: rules.join(",") });
    return { kind: "error", error: "rules", rules };
  }
  const passwordHash = await hashPassword(input.password);
  const saved = await db.transaction(async (tx) => {
    const s = await saveTransition(tx, flow, { type: "password-set" }, input);
    if (!s) return null;
    await tx
      .update(users)
      .set({
        passwordHash,
        passwordChangedAt: now,
        lockedAt: null,
        lockedUntil: null,
        failedSignIns: 0,
        sessionVersion: sql`${users.sessionVersion} + 1`,
        updatedAt: now,
      })
      .where(eq(users.id, flow.userId!));
    await tx.insert(passwordHistory).values(historyEntry(flow.userId!, input.password, passwordHash, now));
    await audit(tx, s, input, { event: "password.reset", outcome: "success", reason: "self-service" });
    return s;
  });
  if (!saved) return { kind: "moved", to: pageForStep((await loadFlowById(db, flow.id)).step) };
  await notify(db, saved, "reset", input);
  return { kind: "moved", to: pageForStep(saved.step) };
}

async function notify(db: Db, flow: Flow, kind: "reset" | "unlock", ctx: Ctx): Promise<void> {
  const to = await registeredMobile(db, flow);
  if (!to) return;
  const config = getConfig();
  const body = notificationText(flow.locale, kind, config.orgName, config.helpdesk.phone);
  deliver(db, ctx, { to, channel: "sms", locale: flow.locale, body, purpose: "notification", flowId: flow.id }, flow);
}

export async function cancelFlow(db: Db, flow: Flow, ctx: Ctx): Promise<void> {
  const saved = await saveTransition(db, flow, { type: "cancel" }, ctx);
  if (saved) await audit(db, saved, ctx, { event: "recovery.cancelled", outcome: "info", reason: `at-${flow.step}` });
}

/**
 * What the code page may show: channel and masked digits, whether a new code may be asked for and when, whether the
 * code could not be sent, and how long the page should keep looking (delivery finishes after the response).
 */
export async function codePageInfo(db: Db, flow: Flow, now = new Date()) {
  const lim = flowLimits();
  const notice = await deliveryNotice(db, flow, now);
  const deliverySettles = flow.lastSentAt ? new Date(flow.lastSentAt.getTime() + getConfig().providerTimeoutMs + 2_000) : null;
  return {
    channel: flow.channel ?? "sms",
    maskedDigits: flow.maskedDigits,
    sendsLeft: Math.max(0, lim.maxSends - flow.sends),
    cooldownSeconds: notice === "failed" ? 0 : secondsUntil(cooldownUntil(flow, now, lim), now),
    attemptsLeft: Math.max(0, lim.maxCodeAttempts - flow.codeAttempts),
    codeTtlMinutes: Math.round(lim.codeTtlSeconds / 60),
    notice,
    watchSeconds: notice ? 0 : secondsUntil(deliverySettles, now),
  };
}

/** What the password page needs: the user's names, so the checklist can tick off the name rules while typing. */
export async function passwordPageInfo(db: Db, flow: Flow): Promise<{ lastName: string; ownWords: string[] }> {
  const [u] = flow.userId
    ? await db
        .select({ lastName: users.lastName, firstName: users.firstName, email: users.email })
        .from(users)
        .where(eq(users.id, flow.userId))
        .limit(1)
    : [];
  return { lastName: u?.lastName ?? "", ownWords: u ? [u.firstName, u.email.split("@")[0]!] : [] };
}
