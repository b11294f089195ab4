// The recovery wizard as a pure state machine: steps, allowed transitions and counters, with time passed in.
import { sendRefusal, type CodePolicy } from "@/lib/verification/policy";

export const STEPS = ["intent", "verify", "code", "password", "done", "ended"] as const;
export type Step = (typeof STEPS)[number];
export type Intent = "reset" | "unlock";
export type Channel = "sms" | "voice";
export type EndReason = "cancelled" | "expired" | "phone-mismatch" | "too-many-attempts" | "blocked";

export type FlowState = {
  step: Step;
  intent: Intent | null;
  channel: Channel | null;
  phoneMatched: boolean;
  phoneMismatches: number;
  codeAttempts: number;
  sends: number;
  lastSentAt: Date | null;
  expiresAt: Date;
  endedReason: EndReason | null;
};

/** The code rules the admin sign-in shares (lib/verification/policy.ts), and the wizard's own limit on wrong numbers. */
export type FlowLimits = CodePolicy & { maxPhoneMismatches: number };

export const defaultFlowLimits: FlowLimits = {
  maxPhoneMismatches: 3,
  maxCodeAttempts: 5,
  maxSends: 3,
  resendCooldownSeconds: 60,
  codeTtlSeconds: 600,
};

export type FlowEvent =
  | { type: "choose-intent"; intent: Intent }
  | {
      type: "submit-number";
      channel: Channel;
      matched: boolean;
      lastDeliveryFailed?: boolean;
      /** The number differs from the one typed last in this flow: a correction, not a second request for the same phone. */
      correction?: boolean;
    }
  | { type: "resend"; lastDeliveryFailed?: boolean }
  | { type: "change-method" }
  | { type: "code-verified" }
  | { type: "code-failed"; attempts: number }
  | { type: "password-set" }
  | { type: "cancel" }
  | { type: "block" }
  | { type: "expire" };

export type TransitionError =
  | { kind: "wrong-step"; step: Step }
  | { kind: "expired" }
  | { kind: "finished" }
  | { kind: "cooldown"; retryAt: Date }
  | { kind: "send-limit" };

/** What the service must do besides saving the new state. */
export type Effect = "send-code" | "pretend-send" | "reset-password" | "unlock-account" | "none";

export type TransitionResult = { ok: true; state: FlowState; effect: Effect } | { ok: false; error: TransitionError };

/** The step an event is allowed in; cancel, block and expire are allowed in every unfinished step. */
const allowedIn: Record<FlowEvent["type"], readonly Step[]> = {
  "choose-intent": ["intent"],
  "submit-number": ["verify"],
  resend: ["code"],
  "change-method": ["code"],
  "code-verified": ["code"],
  "code-failed": ["code"],
  "password-set": ["password"],
  cancel: ["intent", "verify", "code", "password"],
  block: ["intent", "verify", "code", "password"],
  expire: ["intent", "verify", "code", "password"],
};

export const isFinished = (step: Step) => step === "done" || step === "ended";

export function isExpired(state: FlowState, now: Date): boolean {
  return !isFinished(state.step) && now >= state.expiresAt;
}

/** Whether the newest code (sent at lastSentAt) has run out. */
export function codeExpired(state: FlowState, now: Date, limits: FlowLimits): boolean {
  return !state.lastSentAt || now.getTime() >= state.lastSentAt.getTime() + limits.codeTtlSeconds * 1000;
}

function end(state: FlowState, reason: EndReason): FlowState {
  return { ...state, step: "ended", endedReason: reason };
}

export function transition(state: FlowState, event: FlowEvent, now: Date, limits: FlowLimits = defaultFlowLimits): TransitionResult {
  if (isFinished(state.step)) return { ok: false, error: { kind: "finished" } };
  if (event.type === "expire") return { ok: true, state: end(state, "expired"), effect: "none" };
  if (isExpired(state, now)) return { ok: false, error: { kind: "expired" } };
  if (!allowedIn[event.type].includes(state.step)) return { ok: false, error: { kind: "wrong-step", step: state.step } };

  switch (event.type) {
    case "choose-intent":
      return { ok: true, state: { ...state, step: "verify", intent: event.intent }, effect: "none" };

    case "submit-number": {
      // Cooldown and send limit come first, so a number typed while waiting is not even compared. The cooldown keeps a
      // second code from the same phone; a corrected number (one that differs from the last typed) goes at once, the
      // same whether the earlier number matched or not, so the wait tells nothing. The send limit always holds.
      const refused = sendRefusal(state, now, limits, { lastDeliveryFailed: event.lastDeliveryFailed || event.correction === true });
      if (refused) return { ok: false, error: refused };
      if (!event.matched && state.phoneMismatches + 1 >= limits.maxPhoneMismatches) {
        const ended = { ...state, phoneMismatches: state.phoneMismatches + 1, phoneMatched: false };
        return { ok: true, state: end(ended, "phone-mismatch"), effect: "none" };
      }
      // A wrong number looks exactly like a right one from the outside: the wizard moves on, no code goes out.
      const next: FlowState = {
        ...state,
        step: "code",
        channel: event.channel,
        phoneMatched: event.matched,
        phoneMismatches: event.matched ? state.phoneMismatches : state.phoneMismatches + 1,
        sends: state.sends + 1,
        lastSentAt: now,
      };
      return { ok: true, state: next, effect: event.matched ? "send-code" : "pretend-send" };
    }

    case "resend": {
      const refused = sendRefusal(state, now, limits, event);
      if (refused) return { ok: false, error: refused };
      return {
        ok: true,
        state: { ...state, sends: state.sends + 1, lastSentAt: now },
        effect: state.phoneMatched ? "send-code" : "pretend-send",
      };
    }

    case "change-method":
      return { ok: true, state: { ...state, step: "verify" }, effect: "none" };

    case "code-verified":
      return state.intent === "unlock"
        ? { ok: true, state: { ...state, step: "done" }, effect: "unlock-account" }
        : { ok: true, state: { ...state, step: "password" }, effect: "none" };

    case "code-failed": {
      const codeAttempts = Math.max(state.codeAttempts, event.attempts);
      const next = { ...state, codeAttempts };
      return codeAttempts >= limits.maxCodeAttempts
        ? { ok: true, state: end(next, "too-many-attempts"), effect: "none" }
        : { ok: true, state: next, effect: "none" };
    }

    case "password-set":
      return { ok: true, state: { ...state, step: "done" }, effect: "reset-password" };

    case "cancel":
      return { ok: true, state: end(state, "cancelled"), effect: "none" };

    case "block":
      return { ok: true, state: end(state, "blocked"), effect: "none" };
  }
}
