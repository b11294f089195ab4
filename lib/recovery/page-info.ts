// What each wizard page shows of its flow, shaped for the page: masked digits (never a number), counters, delivery.
import "server-only";
import { getAccountStore } from "@/lib/accounts";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { maskDigits } from "@/lib/security/masking";
import { attemptsLeft, cooldownUntil, secondsUntil } from "@/lib/verification/policy";
import { deliveryNotice } from "./delivery";
import { flowLimits, type Flow } from "./flow-store";

/** The verify page: how the user may be reached, and the registered number as *****NN. */
export function verifyPageInfo(flow: Flow) {
  return { masked: maskDigits(flow.maskedDigits), intent: flow.intent ?? "reset", channel: flow.channel ?? "sms" };
}

/**
 * The code page: channel and masked number, whether a new code may be asked for and when, whether the code could not
 * be sent, and how long the page should keep looking (delivery finishes after the response).
 */
export async function codePageInfo(db: Db, flow: Flow, now = new Date()) {
  const lim = flowLimits();
  const notice = await deliveryNotice(db, flow, now);
  const deliverySettles = flow.lastSentAt ? new Date(flow.lastSentAt.getTime() + getConfig().providerTimeoutMs + 2_000) : null;
  return {
    channel: flow.channel ?? "sms",
    masked: maskDigits(flow.maskedDigits),
    sendsLeft: Math.max(0, lim.maxSends - flow.sends),
    cooldownSeconds: notice === "failed" ? 0 : secondsUntil(cooldownUntil(flow, now, lim), now),
    attemptsLeft: attemptsLeft(flow.codeAttempts, lim),
    codeTtlMinutes: Math.round(lim.codeTtlSeconds / 60),
    notice,
    watchSeconds: notice ? 0 : secondsUntil(deliverySettles, now),
  };
}

/** The password page: the user's names, so the checklist can tick off the name rules while typing. */
export async function passwordPageInfo(db: Db, flow: Flow): Promise<{ lastName: string; ownWords: string[] }> {
  const account = flow.userId ? await getAccountStore(db).get(flow.userId) : null;
  return { lastName: account?.lastName ?? "", ownWords: account ? [account.firstName, account.userId.split("@")[0]!] : [] };
}
