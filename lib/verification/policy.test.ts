// The code rules the wizard and the admin sign-in share: validity, cooldown, sends and tries.
import { describe, expect, it } from "vitest";
import { attemptsLeft, codeExpiresAt, codePolicy, cooldownUntil, secondsUntil, sendRefusal } from "./policy";

const t0 = new Date("2026-11-25T10:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const policy = codePolicy({ recovery: { codeTtlMinutes: 10, maxCodeAttempts: 5, maxSends: 3, resendCooldownSeconds: 60 } });

describe("code policy", () => {
  it("reads the configuration: ten minutes, five tries, three sends, a minute between sends", () => {
    expect(policy).toEqual({ codeTtlSeconds: 600, maxCodeAttempts: 5, maxSends: 3, resendCooldownSeconds: 60 });
    expect(codeExpiresAt(t0, policy)).toEqual(at(600));
  });

  it("secondsUntil rounds up, never shows 0 while waiting, and is 0 once passed", () => {
    expect(secondsUntil(at(60), at(0.2))).toBe(60);
    expect(secondsUntil(at(60), at(59.9))).toBe(1);
    expect(secondsUntil(at(60), at(60))).toBe(0);
    expect(secondsUntil(null, at(0))).toBe(0);
  });

  it("cooldownUntil is null once the cooldown is over", () => {
    expect(cooldownUntil({ lastSentAt: at(0) }, at(59), policy)).toEqual(at(60));
    expect(cooldownUntil({ lastSentAt: at(0) }, at(60), policy)).toBeNull();
    expect(cooldownUntil({ lastSentAt: null }, at(0), policy)).toBeNull();
  });

  it("another send: the cooldown first, then the maximum; no wait after a send the user was told had failed", () => {
    expect(sendRefusal({ lastSentAt: at(0), sends: 3 }, at(30), policy)).toEqual({ kind: "cooldown", retryAt: at(60) });
    expect(sendRefusal({ lastSentAt: at(0), sends: 3 }, at(60), policy)).toEqual({ kind: "send-limit" });
    expect(sendRefusal({ lastSentAt: at(0), sends: 1 }, at(60), policy)).toBeNull();
    expect(sendRefusal({ lastSentAt: at(0), sends: 1 }, at(1), policy, { lastDeliveryFailed: true })).toBeNull();
    expect(sendRefusal({ lastSentAt: at(0), sends: 3 }, at(1), policy, { lastDeliveryFailed: true })).toEqual({ kind: "send-limit" });
  });

  it("tries left never go below zero", () => {
    expect([0, 4, 5, 6].map((n) => attemptsLeft(n, policy))).toEqual([5, 1, 0, 0]);
  });
});
