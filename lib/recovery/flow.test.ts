import { describe, expect, it } from "vitest";
import { STEPS, codeExpired, defaultFlowLimits as L, transition, type FlowEvent, type FlowState, type Step } from "./flow";

const t0 = new Date("2026-11-25T10:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function state(step: Step, over: Partial<FlowState> = {}): FlowState {
  return {
    step,
    intent: step === "intent" ? null : "reset",
    channel: null,
    phoneMatched: false,
    phoneMismatches: 0,
    codeAttempts: 0,
    sends: 0,
    lastSentAt: null,
    expiresAt: at(15 * 60),
    endedReason: null,
    ...over,
  };
}

const EVENTS: FlowEvent[] = [
  { type: "choose-intent", intent: "reset" },
  { type: "submit-number", channel: "sms", matched: true },
  { type: "resend" },
  { type: "change-method" },
  { type: "code-verified" },
  { type: "code-failed", attempts: 1 },
  { type: "password-set" },
  { type: "cancel" },
  { type: "block" },
  { type: "expire" },
];

/** The one step each event may happen in; cancel, block and expire may happen in any unfinished step. */
const ALLOWED: Record<FlowEvent["type"], Step[]> = {
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

describe("every (step, event) pair", () => {
  for (const step of STEPS) {
    for (const event of EVENTS) {
      const allowed = ALLOWED[event.type].includes(step);
      it(`${event.type} at ${step} is ${allowed ? "allowed" : "refused"}`, () => {
        const s = state(step, step === "code" ? { lastSentAt: at(0), sends: 1, phoneMatched: true } : {});
        const r = transition(s, event, at(120));
        expect(r.ok).toBe(allowed);
        if (!r.ok) {
          const finished = step === "done" || step === "ended";
          expect(r.error.kind).toBe(finished ? "finished" : "wrong-step");
        }
      });
    }
  }
});

describe("happy paths", () => {
  it("reset: intent → verify → code → password → done, with a code sent on a matching number", () => {
    let s = state("intent");
    const steps: Step[] = [];
    for (const [event, now] of [
      [{ type: "choose-intent", intent: "reset" }, at(1)],
      [{ type: "submit-number", channel: "sms", matched: true }, at(2)],
      [{ type: "code-verified" }, at(3)],
      [{ type: "password-set" }, at(4)],
    ] as [FlowEvent, Date][]) {
      const r = transition(s, event, now);
      if (!r.ok) throw new Error(r.error.kind);
      s = r.state;
      steps.push(s.step);
      if (event.type === "submit-number") expect(r.effect).toBe("send-code");
      if (event.type === "password-set") expect(r.effect).toBe("reset-password");
    }
    expect(steps).toEqual(["verify", "code", "password", "done"]);
  });

  it("unlock: the code ends the flow with the unlock effect, no password step", () => {
    const r = transition(state("code", { intent: "unlock", lastSentAt: at(0), sends: 1 }), { type: "code-verified" }, at(10));
    expect(r).toMatchObject({ ok: true, effect: "unlock-account", state: { step: "done" } });
  });
});

describe("numbers", () => {
  it("a wrong number still moves on to the code step but sends nothing", () => {
    const r = transition(state("verify"), { type: "submit-number", channel: "voice", matched: false }, at(1));
    expect(r).toMatchObject({
      ok: true,
      effect: "pretend-send",
      state: { step: "code", phoneMismatches: 1, phoneMatched: false, channel: "voice", sends: 1 },
    });
  });

  it("the third wrong number ends the flow", () => {
    const second = transition(state("verify", { phoneMismatches: 1 }), { type: "submit-number", channel: "sms", matched: false }, at(1));
    expect(second).toMatchObject({ ok: true, state: { step: "code", phoneMismatches: 2 } });
    const third = transition(state("verify", { phoneMismatches: 2 }), { type: "submit-number", channel: "sms", matched: false }, at(1));
    expect(third).toMatchObject({ ok: true, effect: "none", state: { step: "ended", endedReason: "phone-mismatch", phoneMismatches: 3 } });
  });

  it("a number typed during the cooldown is refused before it is compared", () => {
    const s = state("verify", { lastSentAt: at(0), sends: 1, phoneMismatches: 2 });
    const r = transition(s, { type: "submit-number", channel: "sms", matched: false }, at(59));
    expect(r).toEqual({ ok: false, error: { kind: "cooldown", retryAt: at(60) } });
  });

  it("a corrected number (not the one typed last) is not held up by the cooldown, matched or not; the send limit holds", () => {
    const s = state("verify", { lastSentAt: at(0), sends: 1, phoneMismatches: 1, channel: "sms" });
    for (const matched of [true, false]) {
      expect(transition(s, { type: "submit-number", channel: "sms", matched, correction: true }, at(10))).toMatchObject({
        ok: true,
        effect: matched ? "send-code" : "pretend-send",
        state: { step: "code", sends: 2, lastSentAt: at(10) },
      });
      expect(transition(s, { type: "submit-number", channel: "sms", matched, correction: false }, at(10))).toEqual({
        ok: false,
        error: { kind: "cooldown", retryAt: at(60) },
      });
    }
    const spent = state("verify", { lastSentAt: at(0), sends: 3, channel: "sms" });
    expect(transition(spent, { type: "submit-number", channel: "sms", matched: true, correction: true }, at(10))).toEqual({
      ok: false,
      error: { kind: "send-limit" },
    });
  });

  it("after a failed delivery, the other method (back to the number step) may send at once", () => {
    const failed = state("code", { lastSentAt: at(0), sends: 1, phoneMatched: true, channel: "sms" });
    const back = transition(failed, { type: "change-method" }, at(3));
    expect(back).toMatchObject({ ok: true, state: { step: "verify", sends: 1, lastSentAt: at(0) } });
    const s = (back as { state: FlowState }).state;
    expect(transition(s, { type: "submit-number", channel: "voice", matched: true }, at(4))).toEqual({
      ok: false,
      error: { kind: "cooldown", retryAt: at(60) },
    });
    expect(transition(s, { type: "submit-number", channel: "voice", matched: true, lastDeliveryFailed: true }, at(4))).toMatchObject({
      ok: true,
      effect: "send-code",
      state: { step: "code", channel: "voice", sends: 2, lastSentAt: at(4) },
    });
  });
});

describe("resend", () => {
  const sent = state("code", { lastSentAt: at(0), sends: 1, phoneMatched: true });

  it("is refused during the 60 s cooldown and allowed at 60 s", () => {
    expect(transition(sent, { type: "resend" }, at(59))).toEqual({ ok: false, error: { kind: "cooldown", retryAt: at(60) } });
    expect(transition(sent, { type: "resend" }, at(60))).toMatchObject({
      ok: true,
      effect: "send-code",
      state: { sends: 2, lastSentAt: at(60) },
    });
  });

  it("the 4th send is refused", () => {
    const third = state("code", { lastSentAt: at(0), sends: 3, phoneMatched: true });
    expect(transition(third, { type: "resend" }, at(600))).toEqual({ ok: false, error: { kind: "send-limit" } });
  });

  it("after a send the user was told had failed, may go again at once, still within the send limit", () => {
    expect(transition(sent, { type: "resend", lastDeliveryFailed: true }, at(5))).toMatchObject({
      ok: true,
      effect: "send-code",
      state: { sends: 2, lastSentAt: at(5) },
    });
    expect(transition({ ...sent, phoneMatched: false }, { type: "resend", lastDeliveryFailed: true }, at(5))).toMatchObject({
      ok: true,
      effect: "pretend-send",
    });
    expect(transition({ ...sent, sends: 3 }, { type: "resend", lastDeliveryFailed: true }, at(5))).toEqual({
      ok: false,
      error: { kind: "send-limit" },
    });
    expect(transition(sent, { type: "resend", lastDeliveryFailed: false }, at(5))).toEqual({
      ok: false,
      error: { kind: "cooldown", retryAt: at(60) },
    });
  });

  it("does not reset the failure count and sends nothing when the number did not match", () => {
    const r = transition({ ...sent, codeAttempts: 3, phoneMatched: false }, { type: "resend" }, at(61));
    expect(r).toMatchObject({ ok: true, effect: "pretend-send", state: { codeAttempts: 3 } });
  });
});

describe("codes", () => {
  it("the 5th failure ends the flow, the 4th does not", () => {
    const s = state("code", { lastSentAt: at(0), sends: 1 });
    expect(transition(s, { type: "code-failed", attempts: 4 }, at(5))).toMatchObject({
      ok: true,
      state: { step: "code", codeAttempts: 4 },
    });
    expect(transition(s, { type: "code-failed", attempts: 5 }, at(5))).toMatchObject({
      ok: true,
      state: { step: "ended", endedReason: "too-many-attempts" },
    });
  });

  it("a code expires after 10 minutes", () => {
    const s = state("code", { lastSentAt: at(0) });
    expect(codeExpired(s, at(599), L)).toBe(false);
    expect(codeExpired(s, at(600), L)).toBe(true);
    expect(codeExpired(state("code"), at(0), L)).toBe(true);
  });
});

describe("expiry and finished flows", () => {
  it("after 15 minutes every event but expire is refused as expired", () => {
    const s = state("verify");
    expect(transition(s, { type: "submit-number", channel: "sms", matched: true }, at(15 * 60))).toEqual({
      ok: false,
      error: { kind: "expired" },
    });
    expect(transition(s, { type: "expire" }, at(15 * 60))).toMatchObject({ ok: true, state: { step: "ended", endedReason: "expired" } });
  });

  it("a finished flow cannot be reused", () => {
    expect(transition(state("done"), { type: "cancel" }, at(1))).toEqual({ ok: false, error: { kind: "finished" } });
    expect(transition(state("ended"), { type: "choose-intent", intent: "unlock" }, at(1))).toEqual({
      ok: false,
      error: { kind: "finished" },
    });
  });

  it("cancel ends the flow at any unfinished step", () => {
    for (const step of ["intent", "verify", "code", "password"] as const) {
      expect(transition(state(step), { type: "cancel" }, at(1))).toMatchObject({
        ok: true,
        state: { step: "ended", endedReason: "cancelled" },
      });
    }
  });
});
