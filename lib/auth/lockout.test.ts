import { describe, expect, it } from "vitest";
import { decideSignIn, isLocked, unlocked, type LockState } from "./lockout";

const policy = { threshold: 5, durationMinutes: 30 };
const t0 = new Date("2026-11-25T10:00:00Z");
const after = (min: number) => new Date(t0.getTime() + min * 60_000);

describe("decideSignIn", () => {
  it("locks on the 5th consecutive failure, not the 4th", () => {
    let s: LockState = unlocked;
    for (let i = 1; i <= 4; i++) {
      const d = decideSignIn(s, false, t0, policy);
      expect(d.outcome).toBe("wrong-password");
      s = d.next;
    }
    expect(s.failedSignIns).toBe(4);
    const fifth = decideSignIn(s, false, t0, policy);
    expect(fifth.outcome).toBe("locked-now");
    expect(fifth.next.lockedUntil).toEqual(after(30));
  });

  it("refuses the right password while locked and does not count the attempt", () => {
    const locked: LockState = { failedSignIns: 5, lockedAt: t0, lockedUntil: after(30) };
    const d = decideSignIn(locked, true, after(29), policy);
    expect(d).toEqual({ outcome: "locked", next: locked });
  });

  it("auto-unlocks once lockedUntil has passed and starts counting from zero", () => {
    const locked: LockState = { failedSignIns: 5, lockedAt: t0, lockedUntil: after(30) };
    expect(isLocked(locked, after(30))).toBe(false);
    const wrong = decideSignIn(locked, false, after(30), policy);
    expect(wrong.outcome).toBe("wrong-password");
    expect(wrong.next).toEqual({ failedSignIns: 1, lockedAt: null, lockedUntil: null });
    expect(decideSignIn(locked, true, after(31), policy).outcome).toBe("success");
  });

  it("with duration 0 stays locked until unlocked", () => {
    const d = decideSignIn({ ...unlocked, failedSignIns: 4 }, false, t0, { threshold: 5, durationMinutes: 0 });
    expect(d.next.lockedUntil).toBeNull();
    expect(isLocked(d.next, after(60 * 24 * 365))).toBe(true);
  });

  it("a success resets the counter", () => {
    const d = decideSignIn({ ...unlocked, failedSignIns: 3 }, true, t0, policy);
    expect(d.outcome).toBe("success");
    expect(d.next.failedSignIns).toBe(0);
  });
});
