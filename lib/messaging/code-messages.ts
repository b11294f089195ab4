// One-time codes as message rows (issue 11, item 2): every code's SMS or call is stored in message_queue (kind "code")
// in the same transaction that stores the code's hash, then handed to the guarded send exactly once, and the attempt's
// outcome (sent, failed, refused) is kept on the row with the number and text cleared. A code is never retried: the
// notification worker never claims a code row (lib/messaging/queue.ts), and a code row still pending once its one
// attempt's window is over (a crash between the commit and the send) is given up unsent, blanked and audited. That
// window ends two minutes after the code was issued, or 20 s before the code's expiry when that comes first, so no code
// text outlives the code's validity in this table while a portal runs.
import "server-only";
import { and, eq, gt, lte } from "drizzle-orm";
import { recordAudit } from "@/lib/audit/record";
import type { Db, Tx } from "@/lib/db/client";
import { messageQueue } from "@/lib/db/schema";
import { sendGuarded, type SendOptions, type SendOutcome } from "@/lib/verification/send";
import { getTransport, outgoingOf, type Channel } from "./transport";

/** The queue's kind for code messages; the notification worker leaves these alone. */
export const CODE_KIND = "code";

/** How long after its issue a code's one attempt may start; then it is given up. */
export const CODE_SEND_WINDOW_MS = 120_000;
/**
 * A short-lived code's window ends this long before the code does (more than one round of the worker, which looks every
 * 15 s), so even then its text is gone by the code's expiry. The shortest code (CODE_TTL_MINUTES=1) keeps 40 s.
 */
export const CODE_WINDOW_BEFORE_EXPIRY_MS = 20_000;

export type CodeMessage = {
  to: string;
  channel: Channel;
  locale: "nl" | "en";
  /** The text with the code; kept only until the attempt is done. */
  body: string;
  flowId: string | null;
  userId: string | null;
  /** The code's end of validity: the text is gone by then whatever happens. */
  expiresAt: Date;
};

/**
 * Stores a code's message in the caller's transaction (the one that stores the code's hash) and returns its id for
 * sendCodeMessage. `withheld` (the wizard's code for a number that did not match) stores a row that is done already,
 * with no number and no text, by the same statement: both kinds of flow do the same work.
 */
export async function storeCodeMessage(tx: Tx, m: CodeMessage, now: Date, opts: { withheld?: boolean } = {}): Promise<number> {
  const windowEnd = new Date(Math.min(now.getTime() + CODE_SEND_WINDOW_MS, m.expiresAt.getTime() - CODE_WINDOW_BEFORE_EXPIRY_MS));
  const withheld = opts.withheld ?? false;
  const [row] = await tx
    .insert(messageQueue)
    .values({
      kind: CODE_KIND,
      recipient: withheld ? "" : m.to,
      channel: m.channel,
      locale: m.locale,
      body: withheld ? "" : m.body,
      flowId: m.flowId,
      userId: m.userId,
      status: withheld ? "withheld" : "pending",
      attempts: 0,
      nextAttemptAt: now,
      // Reserved for the request that issued the code: its one attempt must start before this.
      claimedUntil: withheld ? null : windowEnd,
      lastError: null,
      doneAt: withheld ? now : null,
      createdAt: now,
    })
    .returning({ id: messageQueue.id });
  return row!.id;
}

/**
 * The code's one attempt, through the guarded send (all its limits, guards and the caller's audit row and state, as
 * before codes had rows). The row is taken first, once: a row that was given up meanwhile, or already tried, is never
 * sent; the caller then gets a failure (error "not-sent"), audited and recorded like any failed send, so the user is
 * told at once. The outcome and the cleared number and text commit with the caller's audit row.
 */
export async function sendCodeMessage(db: Db, id: number, opts: SendOptions): Promise<SendOutcome> {
  const now = opts.now ?? new Date();
  const [m] = await db
    .update(messageQueue)
    .set({ attempts: 1 })
    .where(
      and(
        eq(messageQueue.id, id),
        eq(messageQueue.kind, CODE_KIND),
        eq(messageQueue.status, "pending"),
        eq(messageQueue.attempts, 0),
        gt(messageQueue.claimedUntil, now),
      ),
    )
    .returning();
  if (!m) {
    const outcome: SendOutcome = {
      kind: "failed",
      transport: (opts.transport ?? getTransport()).name,
      error: "not-sent",
      providerCode: null,
      httpStatus: null,
    };
    await db.transaction(async (tx) => {
      await recordAudit(tx, opts.audit(outcome));
      await opts.record?.(tx, outcome);
    });
    return outcome;
  }
  return sendGuarded(db, outgoingOf(m, "code"), {
    ...opts,
    record: async (tx, outcome) => {
      await tx
        .update(messageQueue)
        .set({
          status: outcome.kind,
          recipient: "",
          body: "",
          claimedUntil: null,
          lastError: outcome.kind === "failed" ? outcome.error : outcome.kind === "refused" ? outcome.rule : null,
          doneAt: now,
        })
        .where(and(eq(messageQueue.id, id), eq(messageQueue.status, "pending")));
      await opts.record?.(tx, outcome);
    },
  });
}

/**
 * For the worker: code rows still pending after their attempt's window (the process ended between the commit and the
 * send, or mid-send) are given up — never sent — with their number and text cleared and a message.abandoned row each.
 */
export async function abandonStrandedCodes(db: Db, now = new Date()): Promise<number> {
  return db.transaction(async (tx) => {
    const stranded = await tx
      .update(messageQueue)
      .set({ status: "abandoned", recipient: "", body: "", claimedUntil: null, lastError: "not-sent", doneAt: now })
      .where(and(eq(messageQueue.kind, CODE_KIND), eq(messageQueue.status, "pending"), lte(messageQueue.claimedUntil, now)))
      .returning();
    for (const m of stranded) {
      await recordAudit(tx, {
        event: "message.abandoned",
        outcome: "failure",
        reason: `code:${m.channel}`,
        flowId: m.flowId,
        userId: m.userId,
        locale: m.locale,
        at: now,
        // attempts 1: the process ended during the attempt, which may or may not have reached the provider.
        details: { kind: CODE_KIND, attempts: m.attempts, error: "not-sent" },
      });
    }
    return stranded.length;
  });
}
