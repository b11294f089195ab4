// One-time codes for the wizard and the admin sign-in alike, built on lib/security/one-time-code.ts: issue (a fresh
// code, only its keyed hash kept, bound to the attempt and purpose), check (constant time, expired never matches), and
// the wizard's code table (store, void, newest, consume once). Counting tries stays with the attempt's own row.
import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db/client";
import { verificationCodes } from "@/lib/db/schema";
import type { Channel } from "@/lib/messaging/transport";
import { codeHash, codeMatches, newCode } from "@/lib/security/one-time-code";
import { codeExpiresAt, type CodePolicy } from "./policy";

/** What a code is for; bound into its hash, so a code for one purpose never passes for another. */
export type CodePurpose = "reset" | "unlock" | "admin-sign-in" | "mobile-change";

export type IssuedCode = { code: string; codeHash: string; expiresAt: Date };

/** A new code for an attempt (a flow or an admin sign-in): the code to send, and the hash and end of validity to keep. */
export function issueCode(bindTo: string, purpose: CodePurpose, now: Date, policy: Pick<CodePolicy, "codeTtlSeconds">): IssuedCode {
  const code = newCode();
  return { code, codeHash: codeHash(bindTo, purpose, code), expiresAt: codeExpiresAt(now, policy) };
}

export type StoredCode = { codeHash: string | null; expiresAt: Date | null };
export type CodeVerdict = "match" | "wrong" | "expired";

/** A typed code against the stored one: none stored is wrong, an expired one never matches, the rest in constant time. */
export function checkCode(stored: StoredCode | null, bindTo: string, purpose: CodePurpose, typed: string, now: Date): CodeVerdict {
  if (!stored?.codeHash) return "wrong";
  if (!stored.expiresAt || stored.expiresAt <= now) return "expired";
  return codeMatches(stored.codeHash, bindTo, purpose, typed) ? "match" : "wrong";
}

// ---------------------------------------------------------------------------------------------------------------
// The wizard's codes (verification_codes): every send is a row; only the newest unused, unvoided one counts.

/**
 * Keeps a newly issued code for a flow, voiding the older ones first. A `withheld` code (the typed number did not match,
 * so nothing is sent) is kept already voided: the same work as a real one, so the time a step takes tells nothing, and
 * it can never pass.
 */
export async function storeFlowCode(
  tx: Tx,
  flowId: string,
  purpose: CodePurpose,
  channel: Channel,
  issued: IssuedCode,
  now: Date,
  opts: { withheld?: boolean } = {},
): Promise<void> {
  await voidFlowCodes(tx, flowId, now);
  await tx.insert(verificationCodes).values({
    flowId,
    purpose,
    codeHash: issued.codeHash,
    channel,
    createdAt: now,
    expiresAt: issued.expiresAt,
    voidedAt: opts.withheld ? now : null,
  });
}

/** Voids every open code of a flow (a wrong number typed, a new code on its way). */
export async function voidFlowCodes(tx: Db | Tx, flowId: string, now: Date): Promise<void> {
  await tx
    .update(verificationCodes)
    .set({ voidedAt: now })
    .where(and(eq(verificationCodes.flowId, flowId), isNull(verificationCodes.voidedAt), isNull(verificationCodes.usedAt)));
}

/** The code a typed one is compared with: the newest that is neither used nor voided. */
export async function newestFlowCode(tx: Db | Tx, flowId: string): Promise<(StoredCode & { id: number }) | null> {
  const [code] = await tx
    .select({ id: verificationCodes.id, codeHash: verificationCodes.codeHash, expiresAt: verificationCodes.expiresAt })
    .from(verificationCodes)
    .where(and(eq(verificationCodes.flowId, flowId), isNull(verificationCodes.voidedAt), isNull(verificationCodes.usedAt)))
    .orderBy(desc(verificationCodes.id))
    .limit(1);
  return code ?? null;
}

/** Uses a code once: false when a parallel request used it first. */
export async function consumeFlowCode(tx: Tx, id: number, now: Date): Promise<boolean> {
  const used = await tx
    .update(verificationCodes)
    .set({ usedAt: now })
    .where(and(eq(verificationCodes.id, id), isNull(verificationCodes.usedAt)))
    .returning({ id: verificationCodes.id });
  return used.length > 0;
}
