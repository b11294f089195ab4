// When a flow that sent nothing should still say "no code could be sent": exactly when a real send would have failed.
import { describe, expect, it } from "vitest";
import { sendWouldHaveFailed, type ProviderHealth } from "./provider-health";

const t0 = new Date("2026-03-02T09:00:00.000Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const failing = (failureAt: Date, failureMs: number, successAt: Date | null = null): ProviderHealth => ({
  lastFailureAt: failureAt,
  lastFailureMs: failureMs,
  lastSuccessAt: successAt,
});

describe("sendWouldHaveFailed", () => {
  it("is false while nothing has failed", () => {
    expect(sendWouldHaveFailed(null, t0, at(60_000))).toBe(false);
    expect(sendWouldHaveFailed({ lastFailureAt: null, lastFailureMs: null, lastSuccessAt: t0 }, t0, at(60_000))).toBe(false);
  });

  it("after a recent failure, is true once as much time has passed as that failure took (a timeout shows later)", () => {
    const timeout = failing(at(-1_000), 5_000);
    expect(sendWouldHaveFailed(timeout, t0, at(4_999))).toBe(false);
    expect(sendWouldHaveFailed(timeout, t0, at(5_000))).toBe(true);
    const refused = failing(at(-1_000), 40);
    expect(sendWouldHaveFailed(refused, t0, at(40))).toBe(true);
  });

  it("counts failures that came after the send too (other users' sends failing meanwhile)", () => {
    expect(sendWouldHaveFailed(failing(at(3_000), 100), t0, at(3_100))).toBe(true);
  });

  it("is false once a send has worked since the last failure", () => {
    expect(sendWouldHaveFailed(failing(at(-1_000), 100, at(-500)), t0, at(10_000))).toBe(false);
    expect(sendWouldHaveFailed(failing(at(-1_000), 100, at(-1_000)), t0, at(10_000))).toBe(false);
  });

  it("ignores a failure from more than five minutes before the send", () => {
    expect(sendWouldHaveFailed(failing(at(-300_000), 100), t0, at(1_000))).toBe(true);
    expect(sendWouldHaveFailed(failing(at(-300_001), 100), t0, at(1_000))).toBe(false);
  });
});
