// Whether the message provider is failing right now, from the newest outcome of any send on any instance.
import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { providerHealth } from "@/lib/db/schema";

export type ProviderHealth = { lastSuccessAt: Date | null; lastFailureAt: Date | null; lastFailureMs: number | null };

/** A failure older than this before a send says nothing about that send. */
const RELEVANT_MS = 5 * 60_000;

/** Records one send's outcome (and how long a failure took) for the transport. */
export async function noteSendOutcome(db: Db, transport: string, outcome: { ok: boolean; tookMs: number }, at = new Date()): Promise<void> {
  const set = outcome.ok ? { lastSuccessAt: at } : { lastFailureAt: at, lastFailureMs: Math.round(outcome.tookMs) };
  await db
    .insert(providerHealth)
    .values({ transport, ...set })
    .onConflictDoUpdate({ target: providerHealth.transport, set });
}

export async function readProviderHealth(db: Db, transport: string): Promise<ProviderHealth | null> {
  const [row] = await db.select().from(providerHealth).where(eq(providerHealth.transport, transport)).limit(1);
  return row ? { lastSuccessAt: row.lastSuccessAt, lastFailureAt: row.lastFailureAt, lastFailureMs: row.lastFailureMs } : null;
}

/**
 * Whether a send made at `sentAt` would most likely have failed by `now`: the newest outcome is a recent failure, and
 * as much time has passed as that failure took (a timeout shows later than a refusal, as it would for a real send).
 */
export function sendWouldHaveFailed(health: ProviderHealth | null, sentAt: Date, now: Date): boolean {
  if (!health?.lastFailureAt) return false;
  if (health.lastSuccessAt && health.lastSuccessAt >= health.lastFailureAt) return false;
  if (health.lastFailureAt.getTime() < sentAt.getTime() - RELEVANT_MS) return false;
  return now.getTime() >= sentAt.getTime() + (health.lastFailureMs ?? 0);
}
