// Durable notifications. "Your password was reset" and "your account was unlocked" are the user's only alert to a
// takeover, so they must not be lost to a provider outage, a database hiccup or a restart:
//
// 1. queueNotification() writes the message (and its message.queued audit row) in the transaction of the change that
//    causes it: the change and its message commit together, or neither does.
// 2. Right after the response, sendQueued() tries that one message at once (as before this queue existed).
// 3. A failed attempt is retried by the message worker (startMessageWorker, once per portal process) with exponential
//    backoff, up to RETRY.maxAttempts; a permanent refusal (not a mobile number, a recipient the provider rejects) is
//    not retried. Every attempt's outcome is audited (message.handed_over / message.failed / message.refused, with the
//    attempt's number), and giving up too (message.abandoned). After a restart the worker sends what is still pending.
//
// Several instances share the queue: a message is claimed for CLAIM_MS with FOR UPDATE SKIP LOCKED before it is sent, so
// one instance sends it; a sender that dies mid-send leaves a claim that runs out, and the message is tried again — a
// notification may then arrive twice, never not at all. Codes have rows here too (kind "code", lib/messaging/code-messages.ts)
// but never wait: this worker never claims one, a code that could not be sent is reported to the user at once, and the
// worker gives up a code row that a crash left unsent. Once a message is sent or given up its number and text are
// cleared; the worker also blanks the text of outbox code messages once the code has expired.
import "server-only";
import { and, eq, inArray, lt, lte, ne, or, isNull, sql } from "drizzle-orm";
import { recordAudit, type AuditEvent } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb, type Db, type Tx } from "@/lib/db/client";
import { messageQueue, outboxMessages } from "@/lib/db/schema";
import { codePolicy } from "@/lib/verification/policy";
import { abandonStrandedCodes, CODE_KIND } from "./code-messages";
import { sendGuarded, type SendOutcome } from "@/lib/verification/send";
import { outgoingOf, type Channel, type Transport } from "./transport";

/** What a notification says: the wizard's reset and unlock, a changed number, a helpdesk action (lib/admin/helpdesk.ts). */
export type NotificationKind =
  "reset" | "unlock" | "mobile-changed" | "helpdesk-unlocked" | "helpdesk-sessions-ended" | "helpdesk-change-required";

/** Attempt n (1-based) that fails waits base · 2^(n−1), at most maxDelayMs, ±20 %; after maxAttempts it is given up. */
export const RETRY = { maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 3_600_000 } as const;
/** How long one instance holds a message it is sending (longer than any provider deadline). */
const CLAIM_MS = 120_000;
/** How often the worker looks for due messages when nothing wakes it. */
const WORKER_INTERVAL_MS = 15_000;
/** Done messages (number and text already cleared) are kept this long for the operator's eyes, then removed. */
const KEEP_DONE_MS = 7 * 86_400_000;
/** Refusals that no retry can change. */
const PERMANENT_REFUSALS = new Set(["invalid-number", "not-mobile", "country-not-allowed"]);
const PERMANENT_FAILURES = new Set(["invalid-recipient"]);

export type QueuedNotification = {
  kind: NotificationKind;
  to: string;
  channel?: Channel;
  locale: "nl" | "en";
  body: string;
  flowId: string | null;
  userId: string | null;
};

/** Delay before attempt `attempt + 1`, after attempt `attempt` failed. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const plain = Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/**
 * Stores a notification in the caller's transaction, with its message.queued audit row (`audit` says who and where);
 * returns its id for sendQueued.
 */
export async function queueNotification(tx: Tx, n: QueuedNotification, audit: Omit<AuditEvent, "event" | "outcome">, now = new Date()) {
  const [row] = await tx
    .insert(messageQueue)
    .values({
      kind: n.kind,
      recipient: n.to,
      channel: n.channel ?? "sms",
      locale: n.locale,
      body: n.body,
      flowId: n.flowId,
      userId: n.userId,
      nextAttemptAt: now,
      createdAt: now,
    })
    .returning({ id: messageQueue.id });
  await recordAudit(tx, {
    ...audit,
    event: "message.queued",
    outcome: "info",
    reason: `notification:${n.channel ?? "sms"}`,
    details: { kind: n.kind },
  });
  return row!.id;
}

type Claimed = typeof messageQueue.$inferSelect;

/** The request whose change caused the message, on the audit row of the attempt made for it (retries have none). */
export type Requester = { ip: string | null; userAgent: string | null };

/** Claims due messages (all due ones, or just `ids`) for this instance; others skip what is claimed. */
async function claim(db: Db, now: Date, options: { ids?: number[]; limit: number }): Promise<Claimed[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: messageQueue.id })
      .from(messageQueue)
      .where(
        and(
          eq(messageQueue.status, "pending"),
          // Codes are sent once, by the request that issued them; never here.
          ne(messageQueue.kind, CODE_KIND),
          lte(messageQueue.nextAttemptAt, now),
          or(isNull(messageQueue.claimedUntil), lt(messageQueue.claimedUntil, now)),
          options.ids ? inArray(messageQueue.id, options.ids) : undefined,
        ),
      )
      .orderBy(messageQueue.nextAttemptAt, messageQueue.id)
      .limit(options.limit)
      .for("update", { skipLocked: true });
    if (!due.length) return [];
    return tx
      .update(messageQueue)
      .set({ claimedUntil: new Date(now.getTime() + CLAIM_MS), attempts: sql`${messageQueue.attempts} + 1` })
      .where(
        inArray(
          messageQueue.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}

/** The audit row of one attempt (never the text or the number). */
function attemptAudit(m: Claimed, outcome: SendOutcome, next: Date | null, at: Date, requester: Requester | undefined): AuditEvent {
  const base = { reason: `notification:${m.channel}`, flowId: m.flowId, userId: m.userId, locale: m.locale, at, ...requester };
  const retry = { attempt: m.attempts, retryAt: next ? next.toISOString() : null };
  switch (outcome.kind) {
    case "sent":
      return {
        ...base,
        event: "message.handed_over",
        outcome: "success",
        details: { kind: m.kind, attempt: m.attempts, transport: outcome.transport, providerId: outcome.providerId },
      };
    case "failed":
      return {
        ...base,
        event: "message.failed",
        outcome: "failure",
        details: {
          kind: m.kind,
          ...retry,
          transport: outcome.transport,
          error: outcome.error,
          providerCode: outcome.providerCode,
          httpStatus: outcome.httpStatus,
        },
      };
    case "refused":
      return { ...base, event: "message.refused", outcome: "refused", details: { kind: m.kind, ...retry, rule: outcome.rule } };
  }
}

/** When a failed attempt is tried again, or null to give up. */
function nextAttempt(m: Claimed, outcome: SendOutcome, now: Date): Date | null {
  if (outcome.kind === "sent") return null;
  if (outcome.kind === "refused" && PERMANENT_REFUSALS.has(outcome.rule)) return null;
  if (outcome.kind === "failed" && PERMANENT_FAILURES.has(outcome.error)) return null;
  if (m.attempts >= RETRY.maxAttempts) return null;
  return new Date(now.getTime() + retryDelayMs(m.attempts));
}

/** One attempt at one claimed message: the send, its audit row and the message's new state commit together. */
async function attempt(db: Db, m: Claimed, now: Date, transport?: Transport, requester?: Requester): Promise<SendOutcome> {
  const message = outgoingOf(m, "notification");
  let next: Date | null = null;
  return sendGuarded(db, message, {
    breaker: "refuse",
    now,
    transport,
    audit: (outcome) => {
      next = nextAttempt(m, outcome, now);
      return attemptAudit(m, outcome, next, now, requester);
    },
    record: async (tx, outcome) => {
      const error = outcome.kind === "failed" ? outcome.error : outcome.kind === "refused" ? outcome.rule : null;
      if (next) {
        await tx.update(messageQueue).set({ nextAttemptAt: next, claimedUntil: null, lastError: error }).where(eq(messageQueue.id, m.id));
        return;
      }
      const status = outcome.kind === "sent" ? "sent" : "abandoned";
      await tx
        .update(messageQueue)
        .set({ status, recipient: "", body: "", claimedUntil: null, lastError: error, doneAt: now })
        .where(eq(messageQueue.id, m.id));
      if (status === "abandoned") {
        await recordAudit(tx, {
          event: "message.abandoned",
          outcome: "failure",
          reason: `notification:${m.channel}`,
          flowId: m.flowId,
          userId: m.userId,
          locale: m.locale,
          at: now,
          details: { kind: m.kind, attempts: m.attempts, error },
        });
      }
    },
  });
}

export type DeliveryRun = { attempted: number; sent: number; retrying: number; abandoned: number };

/**
 * Sends the messages that are due now (or just `ids`), each claimed first so no other instance sends it too. Tests
 * pass their own clock and transport.
 */
export async function deliverDueMessages(
  db: Db,
  options: { now?: Date; ids?: number[]; limit?: number; transport?: Transport; requester?: Requester } = {},
): Promise<DeliveryRun> {
  const now = options.now ?? new Date();
  const run: DeliveryRun = { attempted: 0, sent: 0, retrying: 0, abandoned: 0 };
  const claimed = await claim(db, now, { ids: options.ids, limit: options.limit ?? 20 });
  for (const m of claimed) {
    const outcome = await attempt(db, m, now, options.transport, options.requester);
    run.attempted += 1;
    if (outcome.kind === "sent") run.sent += 1;
    else if (nextAttempt(m, outcome, now)) run.retrying += 1;
    else run.abandoned += 1;
  }
  return run;
}

/** Right after the change's response: the message's first attempt (a failure is left to the worker's retries). */
export function sendQueued(db: Db, id: number, now?: Date, requester?: Requester): Promise<DeliveryRun> {
  return deliverDueMessages(db, { ids: [id], now, requester });
}

/** How many notifications wait (for metrics and the health of the queue); a code's row in its one attempt is not waiting. */
export async function pendingMessages(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql<string>`count(*)::text` })
    .from(messageQueue)
    .where(and(eq(messageQueue.status, "pending"), ne(messageQueue.kind, CODE_KIND)));
  return Number(row?.n ?? 0);
}

/**
 * Removes what no one needs: the text of outbox code messages once the code has expired (the outbox transport keeps
 * texts for the development page; a code must not outlive its validity anywhere), and done queue rows after a week.
 */
export async function scrubMessages(db: Db, now = new Date()): Promise<{ codeTexts: number; doneMessages: number }> {
  // The codes' one rule for how long they last (the wizard's and the admin sign-in's alike).
  const codeTtlMs = codePolicy(getConfig()).codeTtlSeconds * 1000;
  const codeTexts = await db
    .update(outboxMessages)
    .set({ body: "" })
    .where(
      and(
        eq(outboxMessages.purpose, "code"),
        ne(outboxMessages.body, ""),
        lt(outboxMessages.createdAt, new Date(now.getTime() - codeTtlMs)),
      ),
    )
    .returning({ id: outboxMessages.id });
  const done = await db
    .delete(messageQueue)
    .where(and(ne(messageQueue.status, "pending"), lt(messageQueue.doneAt, new Date(now.getTime() - KEEP_DONE_MS))))
    .returning({ id: messageQueue.id });
  return { codeTexts: codeTexts.length, doneMessages: done.length };
}

// ---------------------------------------------------------------------------------------------------------------
// The worker: one per process (shared across Next.js bundles through globalThis).

type WorkerOptions = { intervalMs?: number; db?: () => Promise<Db>; transport?: Transport };
type Worker = { timer: NodeJS.Timeout | null; running: Promise<void> | null; again: boolean; stopped: boolean; options: WorkerOptions };
const workerKey = Symbol.for("toegang.messageWorker");
type GlobalWithWorker = typeof globalThis & { [workerKey]?: Worker };

function tick(worker: Worker): void {
  if (worker.stopped) return;
  if (worker.running) {
    worker.again = true;
    return;
  }
  worker.running = (async () => {
    try {
      const db = await (worker.options.db ?? getDb)();
      for (;;) {
        const run = await deliverDueMessages(db, { transport: worker.options.transport });
        if (run.attempted === 0) break;
        if (worker.stopped) break;
      }
      // A code row a crash left unsent is given up (never sent late), its number and text cleared.
      await abandonStrandedCodes(db);
      await scrubMessages(db);
    } catch (error) {
      // The database or the provider is away: the messages stay queued and the next tick tries again.
      console.error(`message worker: ${error instanceof Error ? error.message : String(error)}`);
    }
  })().finally(() => {
    worker.running = null;
    if (worker.again && !worker.stopped) {
      worker.again = false;
      tick(worker);
    }
  });
}

/**
 * Starts the process's message worker: it sends what is pending at once (messages left by a restart) and then looks
 * every WORKER_INTERVAL_MS. Safe to call more than once. Tests pass their own database and transport.
 */
export function startMessageWorker(options: WorkerOptions = {}): void {
  const g = globalThis as GlobalWithWorker;
  if (g[workerKey] && !g[workerKey].stopped) return;
  const worker: Worker = { timer: null, running: null, again: false, stopped: false, options };
  g[workerKey] = worker;
  worker.timer = setInterval(() => tick(worker), options.intervalMs ?? WORKER_INTERVAL_MS);
  worker.timer.unref();
  tick(worker);
}

/** Stops the worker and waits for the attempt in progress to finish (for a graceful shutdown); pending ones stay queued. */
export async function stopMessageWorker(): Promise<void> {
  const worker = (globalThis as GlobalWithWorker)[workerKey];
  if (!worker) return;
  worker.stopped = true;
  if (worker.timer) clearInterval(worker.timer);
  await worker.running;
}
