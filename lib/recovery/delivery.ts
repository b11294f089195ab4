// The wizard's messages: a code or a notification is stored as a message row in the step's transaction, and goes out
// after the response (so timing never tells whether a number matched) through the shared guarded send; a code's outcome
// is kept on the flow with its audit row, so the code page can say that no code could be sent.
import "server-only";
import { countedSchedule } from "@/lib/background";
import type { Account } from "@/lib/accounts/types";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { limits } from "@/lib/limits/policies";
import { readProviderHealth, sendWouldHaveFailed } from "@/lib/messaging/provider-health";
import { breakerOpen } from "@/lib/messaging/spend-guard";
import { queueNotification, sendQueued, type NotificationKind } from "@/lib/messaging/queue";
import { codeText, notificationText } from "@/lib/messaging/texts";
import { sendCodeMessage, storeCodeMessage } from "@/lib/messaging/code-messages";
import { getTransport } from "@/lib/messaging/transport";
import type { SendOutcome } from "@/lib/verification/send";
import { flowAuditEvent, setDeliveryStatus, type DeliveryStatus, type Flow, type FlowAudit, type StepCtx } from "./flow-store";

/** What the flow says about a code's delivery once its send has an outcome. */
function deliveryStatusOf(outcome: SendOutcome): DeliveryStatus {
  if (outcome.kind === "sent") return "sent";
  if (outcome.kind === "failed") return "failed";
  return outcome.rule === "breaker" ? "paused" : "refused";
}

/** The audit row of a wizard message's outcome (with the provider's error code; never the text or the number). */
function messageAudit(reason: string, outcome: SendOutcome): FlowAudit {
  switch (outcome.kind) {
    case "refused":
      return { event: "message.refused", outcome: "refused", reason, details: { rule: outcome.rule } };
    case "sent":
      return {
        event: "message.handed_over",
        outcome: "success",
        reason,
        details: { transport: outcome.transport, providerId: outcome.providerId },
      };
    case "failed":
      return {
        event: "message.failed",
        outcome: "failure",
        reason,
        details: { transport: outcome.transport, error: outcome.error, providerCode: outcome.providerCode, httpStatus: outcome.httpStatus },
      };
  }
}

/** Runs work after the response: the caller's scheduler (Next's after(), a test's queue), else at once in the background. */
function schedule(ctx: StepCtx, task: () => Promise<void>): void {
  (ctx.schedule ?? countedSchedule(ctx.context.requestId))(task);
}

/**
 * The language of a message: that of the page where it was asked for (the user may have switched languages mid-flow),
 * else the language the flow started in.
 */
function messageLocale(flow: Flow, ctx: StepCtx): "nl" | "en" {
  const page = ctx.context.locale;
  return page === "en" || page === "nl" ? page : flow.locale;
}

/**
 * Stores the message of a code just issued for the flow, in the step's transaction (lib/messaging/code-messages.ts), to
 * the registered number, never the typed one; a withheld code (`to` null: the number did not match) gets a row with no
 * number and no text, by the same statement. Returns the message's id for deliverCode.
 */
export async function storeCode(tx: Tx, flow: Flow, to: string | null, code: string, expiresAt: Date, ctx: StepCtx): Promise<number> {
  const config = getConfig();
  const channel = flow.channel ?? "sms";
  const locale = messageLocale(flow, ctx);
  const body = codeText(locale, channel, config.orgName, code, config.recovery.codeTtlMinutes);
  return storeCodeMessage(
    tx,
    { to: to ?? "", channel, locale, body, flowId: flow.id, userId: flow.userId, expiresAt },
    ctx.now ?? new Date(),
    { withheld: to === null },
  );
}

/** Sends a stored code's message once, after the response; the outcome is kept on the flow with its audit row. */
export function deliverCode(db: Db, flow: Flow, messageId: number, ctx: StepCtx): void {
  const channel = flow.channel ?? "sms";
  schedule(ctx, async () => {
    await sendCodeMessage(db, messageId, {
      breaker: "refuse",
      // Codes are capped per number (notifications follow a verified code, so they are bounded already).
      perNumber: limits.codesPerNumber(getConfig()),
      now: ctx.now,
      audit: (outcome) => flowAuditEvent(flow, ctx, messageAudit(`code:${channel}`, outcome)),
      record: (tx, outcome) => setDeliveryStatus(tx, flow, deliveryStatusOf(outcome)),
    });
  });
}

/**
 * "Your password was reset" / "your account was unlocked" to the registered number, the user's alert to a takeover:
 * queued in the change's own transaction (lib/messaging/queue.ts), so the change and its message commit together.
 * Returns the message's id for sendNotification, or null when the account has no number.
 */
export async function queueNotify(
  tx: Tx,
  flow: Flow,
  account: Account | null,
  kind: Extract<NotificationKind, "reset" | "unlock">,
  ctx: StepCtx,
): Promise<number | null> {
  if (!account?.mobile) return null;
  const config = getConfig();
  const locale = messageLocale(flow, ctx);
  const body = notificationText(locale, kind, config.orgName, config.helpdesk.phone);
  // Who and where for the message.queued row: the flow's request.
  const who = flowAuditEvent(flow, ctx, { event: "message.queued", outcome: "info" });
  return queueNotification(tx, { kind, to: account.mobile, locale, body, flowId: flow.id, userId: account.id }, who, ctx.now ?? new Date());
}

/** After the change committed: the notification's first attempt, after the response; the worker retries a failure. */
export function sendNotification(db: Db, id: number | null, ctx: StepCtx): void {
  if (id === null) return;
  schedule(ctx, async () => {
    await sendQueued(db, id, ctx.now, { ip: ctx.context.ip, userAgent: ctx.context.userAgent });
  });
}

export type DeliveryNotice = "failed" | "paused" | null;

/**
 * What the code page says about delivery. A flow whose number matched shows its own send's outcome; a flow that sent
 * nothing shows what a real send would have met right now (the breaker, or a failing provider, after as long as a
 * failure takes), so the page never tells whether the typed number matched.
 */
export async function deliveryNotice(db: Db, flow: Flow, now = new Date()): Promise<DeliveryNotice> {
  if (!flow.lastSentAt) return null;
  // Both kinds of flow read the same (the breaker, then the provider's health), so the time this takes tells nothing.
  const paused = await breakerOpen(db, now);
  const wouldFail = sendWouldHaveFailed(await readProviderHealth(db, getTransport().name), flow.lastSentAt, now);
  if (flow.deliveryStatus === "failed" || flow.deliveryStatus === "paused") return flow.deliveryStatus;
  if (flow.deliveryStatus !== null) return null;
  if (paused) return "paused";
  return wouldFail ? "failed" : null;
}
