// The rules of one-time codes that the wizard and the admin sign-in share, as pure functions of their inputs (time
// passed in): how long a code lasts, how many tries and sends an attempt gets, and the wait between two sends.
import type { AppConfig } from "@/lib/config";

export type CodePolicy = {
  codeTtlSeconds: number;
  maxCodeAttempts: number;
  maxSends: number;
  resendCooldownSeconds: number;
};

type CodeSettings = Pick<AppConfig["recovery"], "codeTtlMinutes" | "maxCodeAttempts" | "maxSends" | "resendCooldownSeconds">;

export function codePolicy(config: { recovery: CodeSettings }): CodePolicy {
  const r = config.recovery;
  return {
    codeTtlSeconds: r.codeTtlMinutes * 60,
    maxCodeAttempts: r.maxCodeAttempts,
    maxSends: r.maxSends,
    resendCooldownSeconds: r.resendCooldownSeconds,
  };
}

/** When the next code may be sent, or null when no cooldown applies. */
export function cooldownUntil(
  state: { lastSentAt: Date | null },
  now: Date,
  policy: Pick<CodePolicy, "resendCooldownSeconds">,
): Date | null {
  if (!state.lastSentAt) return null;
  const until = new Date(state.lastSentAt.getTime() + policy.resendCooldownSeconds * 1000);
  return until > now ? until : null;
}

export type SendRefusal = { kind: "cooldown"; retryAt: Date } | { kind: "send-limit" };

/**
 * Whether another code may go out now: the cooldown first, then the maximum per attempt. There is no wait after a send
 * the user was told had failed ("try again or choose the other method" must be possible at once); such sends still
 * count toward the maximum, so retries stay bounded.
 */
export function sendRefusal(
  state: { lastSentAt: Date | null; sends: number },
  now: Date,
  policy: Pick<CodePolicy, "resendCooldownSeconds" | "maxSends">,
  opts: { lastDeliveryFailed?: boolean } = {},
): SendRefusal | null {
  const wait = opts.lastDeliveryFailed ? null : cooldownUntil(state, now, policy);
  if (wait) return { kind: "cooldown", retryAt: wait };
  if (state.sends >= policy.maxSends) return { kind: "send-limit" };
  return null;
}

/** When a code issued now stops being valid. */
export function codeExpiresAt(now: Date, policy: Pick<CodePolicy, "codeTtlSeconds">): Date {
  return new Date(now.getTime() + policy.codeTtlSeconds * 1000);
}

/** Tries left after `attempts` wrong ones (never below zero). */
export function attemptsLeft(attempts: number, policy: Pick<CodePolicy, "maxCodeAttempts">): number {
  return Math.max(0, policy.maxCodeAttempts - attempts);
}

/** Whole seconds from now until a moment (at least 1 while it is still ahead, 0 once it has passed or is null). */
export function secondsUntil(moment: Date | null | undefined, now: Date): number {
  if (!moment || moment <= now) return 0;
  return Math.max(1, Math.ceil((moment.getTime() - now.getTime()) / 1000));
}
