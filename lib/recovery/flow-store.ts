// The wizard's flows in the database: create one (with its recovery.started row), load one by the browser's token,
// guard a request against the flow's real step, and save ONE transition (computed once by the pure core) together with
// its audit rows in the same transaction, or nothing at all.
import "server-only";
import type { Schedule } from "@/lib/background";
import { and, eq, lt, sql } from "drizzle-orm";
import type { AccountStore } from "@/lib/accounts/types";
import { recordAudit, type AuditEvent } from "@/lib/audit/record";
import { getConfig, type AppConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { recoveryFlows } from "@/lib/db/schema";
import type { RequestContext } from "@/lib/security/request-context";
import { hashToken } from "@/lib/security/token";
import { codePolicy } from "@/lib/verification/policy";
import {
  isExpired,
  transition,
  STEPS,
  type EndReason,
  type Effect,
  type FlowEvent,
  type FlowLimits,
  type FlowState,
  type Intent,
  type Step,
  type TransitionResult,
} from "./flow";
import type { Destination } from "./step-paths";

/** What became of the newest code's delivery; `refused` = the spend guard would not send to the stored number. */
export type DeliveryStatus = "pending" | "sent" | "failed" | "paused" | "refused";

export type Flow = FlowState & {
  id: string;
  /** The account (Toegang's id), or null when the typed user ID has none. */
  userId: string | null;
  subjectHash: string;
  maskedDigits: string;
  locale: "nl" | "en";
  deliveryStatus: DeliveryStatus | null;
};

export type Deferred = () => Promise<void>;

/** Work that must not delay the response (delivery), so timing never tells whether a number matched. */
export type Scheduler = Schedule;

/** What every step is given besides its input: who is asking, the time (tests move it), and where deferred work goes. */
export type StepCtx = { context: RequestContext; now?: Date; schedule?: Scheduler; accounts?: AccountStore };

export function flowLimits(config: AppConfig = getConfig()): FlowLimits {
  return { ...codePolicy(config), maxPhoneMismatches: config.recovery.maxPhoneMismatches };
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null => values.find((v) => v === value) ?? null;

const INTENTS = ["reset", "unlock"] as const satisfies readonly Intent[];
const CHANNELS = ["sms", "voice"] as const;
const END_REASONS = ["cancelled", "expired", "phone-mismatch", "too-many-attempts", "blocked"] as const satisfies readonly EndReason[];
const DELIVERY = ["pending", "sent", "failed", "paused", "refused"] as const satisfies readonly DeliveryStatus[];

/** A row as the wizard sees it; a value the row should never hold reads as "none" (a broken step as ended). */
export function toFlow(row: typeof recoveryFlows.$inferSelect): Flow {
  return {
    id: row.id,
    step: oneOf(STEPS, row.step) ?? "ended",
    intent: oneOf(INTENTS, row.intent),
    channel: oneOf(CHANNELS, row.channel),
    phoneMatched: row.phoneMatched,
    phoneMismatches: row.phoneMismatches,
    codeAttempts: row.codeAttempts,
    sends: row.sends,
    lastSentAt: row.lastSentAt,
    expiresAt: row.expiresAt,
    endedReason: oneOf(END_REASONS, row.endedReason),
    userId: row.userId,
    subjectHash: row.subjectHash,
    maskedDigits: row.maskedDigits,
    locale: row.locale === "en" ? "en" : "nl",
    deliveryStatus: oneOf(DELIVERY, row.deliveryStatus),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Audit rows about a flow.

/** One audit row about a flow; who (account or typed-ID hash), the flow and the request are filled in. */
export type FlowAudit = Pick<AuditEvent, "event" | "outcome" | "reason" | "details">;

/** The whole audit event for a row about a flow (null: before any flow exists, with `who` given instead). */
export function flowAuditEvent(
  flow: Pick<Flow, "id" | "userId" | "subjectHash"> | null,
  ctx: Pick<StepCtx, "context" | "now">,
  row: FlowAudit & Partial<Pick<AuditEvent, "userId" | "subjectHash" | "flowId">>,
): AuditEvent {
  return {
    ...row,
    flowId: flow?.id ?? row.flowId ?? null,
    userId: flow ? flow.userId : (row.userId ?? null),
    subjectHash: flow ? (flow.userId ? null : flow.subjectHash) : (row.subjectHash ?? null),
    ip: ctx.context.ip,
    userAgent: ctx.context.userAgent,
    locale: ctx.context.locale,
    at: ctx.now,
  };
}

/** Records rows about a flow that change nothing else (refusals, violations). */
export async function auditFlow(db: Db | Tx, flow: Flow, ctx: StepCtx, ...rows: FlowAudit[]): Promise<void> {
  for (const row of rows) await recordAudit(db, flowAuditEvent(flow, ctx, row));
}

// ---------------------------------------------------------------------------------------------------------------
// Creating and loading.

export type NewFlow = Pick<Flow, "intent" | "userId" | "subjectHash" | "maskedDigits" | "locale"> & { tokenHash: string };

/** Inserts a flow at its first step together with its recovery.started row; returns the flow's id. */
export async function createFlow(db: Db, values: NewFlow, ctx: StepCtx, started: FlowAudit): Promise<string> {
  const now = ctx.now ?? new Date();
  const expiresAt = new Date(now.getTime() + getConfig().recovery.flowTtlMinutes * 60_000);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(recoveryFlows)
      .values({ ...values, step: "intent", createdAt: now, updatedAt: now, expiresAt })
      .returning();
    const flow = toFlow(row!);
    await recordAudit(tx, flowAuditEvent(flow, ctx, started));
    return flow.id;
  });
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

export async function loadFlowById(db: Db | Tx, id: string): Promise<Flow> {
  const [row] = await db.select().from(recoveryFlows).where(eq(recoveryFlows.id, id)).limit(1);
  return toFlow(row!);
}

/** Where the flow is now, for a request that lost a race against another tab (or found its transition refused). */
export async function currentStep(db: Db | Tx, flow: Pick<Flow, "id">): Promise<Destination> {
  return { kind: "moved", step: (await loadFlowById(db, flow.id)).step };
}

// ---------------------------------------------------------------------------------------------------------------
// Transitions: decided once by the pure core, saved once with their audit rows.

/** The pure core's answer for this flow, event and moment, with the configured limits. Computed once per request. */
export function decide(flow: FlowState, event: FlowEvent, now: Date): TransitionResult {
  return transition(flow, event, now, flowLimits());
}

export type Decided = Extract<TransitionResult, { ok: true }>;

/** The audit rows a saved transition commits with (given the saved flow and the effect the core asked for). */
export type StepAudit = (saved: Flow, effect: Effect) => FlowAudit | FlowAudit[];

/**
 * Saves a decided transition inside the caller's transaction, only if nobody changed the flow meanwhile (optimistic check
 * on step and counters, so a replayed cookie or a second tab can never roll a counter back), and records its audit rows
 * there. Returns the saved flow, or null when the flow had moved on (nothing written).
 */
export async function saveIn(tx: Tx, flow: Flow, decided: Decided, ctx: StepCtx, audit: StepAudit): Promise<Flow | null> {
  const s = decided.state;
  const updated = await tx
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
      updatedAt: ctx.now ?? new Date(),
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
  if (!updated.length) return null;
  const saved: Flow = { ...flow, ...s };
  const rows = audit(saved, decided.effect);
  await auditFlow(tx, saved, ctx, ...(Array.isArray(rows) ? rows : [rows]));
  return saved;
}

export type Saved<T> = { kind: "saved"; flow: Flow; effect: Effect; also: T };

/**
 * Saves a decided transition with its audit rows and `also` (the step's other writes: a code, a delivery status) in one
 * transaction. A flow that moved on meanwhile gives its current step instead, and nothing is written.
 */
export async function save<T = void>(
  db: Db,
  flow: Flow,
  decided: Decided,
  ctx: StepCtx,
  audit: StepAudit,
  also?: (tx: Tx, saved: Flow, effect: Effect) => Promise<T>,
): Promise<Saved<T | undefined> | Destination> {
  const saved = await db.transaction(async (tx) => {
    const s = await saveIn(tx, flow, decided, ctx, audit);
    if (!s) return null;
    return { kind: "saved" as const, flow: s, effect: decided.effect, also: await also?.(tx, s, decided.effect) };
  });
  return saved ?? currentStep(db, flow);
}

/** Decides and saves an event whose refusal just means "go where the flow is" (intent, method change, cancel, expiry). */
export async function commit(
  db: Db,
  flow: Flow,
  event: FlowEvent,
  ctx: StepCtx,
  audit: StepAudit,
): Promise<Saved<undefined> | Destination> {
  const decided = decide(flow, event, ctx.now ?? new Date());
  if (!decided.ok) return currentStep(db, flow);
  return save(db, flow, decided, ctx, audit);
}

/** Where a step function leaves the browser after a commit. */
export function destination(result: Saved<unknown> | Destination): Destination {
  return result.kind === "saved" ? { kind: "moved", step: result.flow.step } : result;
}

// ---------------------------------------------------------------------------------------------------------------
// The step guard.

export type Guard = { kind: "ok"; flow: Flow } | Destination;

/**
 * Re-reads the flow and allows only its real step: an expired flow is ended (with its audit row), and a request for any
 * other step is refused, audited and sent to the step the flow is really on. Pages and actions both go through it.
 */
export async function guardFlow(db: Db, token: string | null, expected: Step | readonly Step[], ctx: StepCtx): Promise<Guard> {
  const now = ctx.now ?? new Date();
  let flow = await loadFlow(db, token);
  if (!flow) return { kind: "restart" };
  if (isExpired(flow, now)) {
    const expired = await commit(db, flow, { type: "expire" }, ctx, () => ({
      event: "recovery.expired",
      outcome: "info",
      reason: "flow-expired",
    }));
    flow = expired.kind === "saved" ? expired.flow : await loadFlowById(db, flow.id);
  }
  const allowed: readonly Step[] = typeof expected === "string" ? [expected] : expected;
  if (allowed.includes(flow.step)) return { kind: "ok", flow };
  await auditFlow(db, flow, ctx, {
    event: "recovery.step_violation",
    outcome: "refused",
    reason: `wanted-${allowed.join("|")}-at-${flow.step}`,
  });
  return { kind: "moved", step: flow.step };
}

/**
 * Counts one code try, in one atomic update that also holds the flow's row until the caller's transaction ends (parallel
 * tries queue behind it); null when the flow is not on the code step or has no tries left (nothing counted).
 */
export async function countCodeAttempt(tx: Tx, flow: Pick<Flow, "id">, maxAttempts: number, now: Date): Promise<Flow | null> {
  const [row] = await tx
    .update(recoveryFlows)
    .set({ codeAttempts: sql`${recoveryFlows.codeAttempts} + 1`, updatedAt: now })
    .where(and(eq(recoveryFlows.id, flow.id), eq(recoveryFlows.step, "code"), lt(recoveryFlows.codeAttempts, maxAttempts)))
    .returning();
  return row ? toFlow(row) : null;
}

/** Only for the send it belongs to: a later send (more sends on the flow) has its own outcome. */
export async function setDeliveryStatus(db: Db | Tx, flow: Pick<Flow, "id" | "sends">, status: DeliveryStatus | null): Promise<void> {
  await db
    .update(recoveryFlows)
    .set({ deliveryStatus: status })
    .where(and(eq(recoveryFlows.id, flow.id), eq(recoveryFlows.sends, flow.sends)));
}
