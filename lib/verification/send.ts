// The one guarded send for every code and notification, the wizard's and the admin sign-in's: optional per-account and
// per-number caps, the spend guard (allowed mobile numbers, global caps), exactly one hand-over to the transport, the provider's
// health noted, and the outcome audited. It returns the outcome and never touches a flow or sign-in: the caller decides
// what the outcome means for its own state.
import "server-only";
import { recordAudit, type AuditEvent } from "@/lib/audit/record";
import type { Db, Tx } from "@/lib/db/client";
import type { LimitPolicy } from "@/lib/limits/policies";
import { hitLimit } from "@/lib/limits/rate-limit";
import { keyedHash } from "@/lib/security/keyed-hash";
import { noteSendOutcome } from "@/lib/messaging/provider-health";
import { admitMessage } from "@/lib/messaging/spend-guard";
import { parsePhone } from "@/lib/users/normalize";
import { getTransport, type OutgoingMessage, type SendResult, type Transport } from "@/lib/messaging/transport";

/** Why a message was not handed over at all. */
export type RefusalRule = "invalid-number" | "not-mobile" | "country-not-allowed" | "breaker" | "per-account-limit" | "per-number-limit";

export type SendOutcome =
  | { kind: "sent"; transport: string; providerId: string | null }
  | { kind: "failed"; transport: string; error: string; providerCode: number | null; httpStatus: number | null }
  | { kind: "refused"; rule: RefusalRule };

export type SendOptions = {
  /**
   * What an open breaker (a global cap reached) means: `refuse` the message, or `override` it for administrators, who
   * must still get in to see what tripped it (their message is counted against the caps all the same).
   */
  breaker: "refuse" | "override";
  /** A cap per account, counted before the spend guard. */
  perAccount?: { policy: LimitPolicy; subject: string };
  /** A cap per recipient number (counted by the number's keyed hash, never the number), before the global caps. */
  perNumber?: LimitPolicy;
  /** The audit row that records the outcome (the caller names the event and who it is about). */
  audit: (outcome: SendOutcome) => AuditEvent;
  /** The caller's own state that follows from the outcome, committed together with the audit row. */
  record?: (tx: Tx, outcome: SendOutcome) => Promise<unknown>;
  now?: Date;
  /** Tests pass their own; the configured one otherwise. */
  transport?: Transport;
};

export async function sendGuarded(db: Db, message: OutgoingMessage, opts: SendOptions): Promise<SendOutcome> {
  const startedAt = new Date();
  const now = opts.now ?? startedAt;
  const outcome = await send(db, message, opts, now, startedAt);
  await db.transaction(async (tx) => {
    await recordAudit(tx, opts.audit(outcome));
    await opts.record?.(tx, outcome);
  });
  return outcome;
}

/** One counter per number however it is spelled (a directory may keep "06 12 34 56 78"); never the number itself. */
function numberKey(to: string): string {
  const parsed = parsePhone(to);
  return keyedHash("mobile-number", parsed.ok ? parsed.e164 : to.trim());
}

async function send(db: Db, message: OutgoingMessage, opts: SendOptions, now: Date, startedAt: Date): Promise<SendOutcome> {
  if (opts.perAccount && !(await hitLimit(db, opts.perAccount.policy, opts.perAccount.subject, now)).allowed) {
    return { kind: "refused", rule: "per-account-limit" };
  }
  if (opts.perNumber && !(await hitLimit(db, opts.perNumber, numberKey(message.to), now)).allowed) {
    return { kind: "refused", rule: "per-number-limit" };
  }
  const admitted = await admitMessage(db, message.to, now);
  if (!admitted.ok && !(admitted.reason === "breaker" && opts.breaker === "override")) return { kind: "refused", rule: admitted.reason };

  const transport = opts.transport ?? getTransport();
  let result: SendResult;
  try {
    result = await transport.send(db, message);
  } catch (error) {
    result = { ok: false, error: error instanceof Error ? error.name : "error" };
  }
  const tookMs = Date.now() - startedAt.getTime();
  await noteSendOutcome(db, transport.name, { ok: result.ok, tookMs }, new Date(now.getTime() + tookMs));
  return result.ok
    ? { kind: "sent", transport: transport.name, providerId: result.providerId }
    : {
        kind: "failed",
        transport: transport.name,
        error: result.error,
        providerCode: result.providerCode ?? null,
        httpStatus: result.httpStatus ?? null,
      };
}
