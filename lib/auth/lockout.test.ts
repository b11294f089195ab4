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

  it("refuses the right password while locked, counts the attempt without extending the lock, and says locked", () => {
    const locked: LockState = { failedSignIns: 5, lockedAt: t0, lockedUntil: after(30) };
    const d = decideSignIn(locked, true, after(29), policy);
    expect(d).toEqual({ outcome: "locked", next: { ...locked, failedSignIns: 6 }, answer: "locked" });
  });

  it("an account locked with fewer failures than the threshold (by an operator) answers like any other until the count is reached", () => {
    let s: LockState = { failedSignIns: 0, lockedAt: t0, lockedUntil: null };
    const answers = [];
    for (const ok of [false, true, false, false, false, true]) {
      const d = decideSignIn(s, ok, after(1), policy);
      expect(d.outcome).toBe("locked");
      answers.push(d.outcome === "locked" ? d.answer : null);
      s = d.next;
    }
    expect(answers).toEqual(["invalid", "invalid", "invalid", "invalid", "locked", "locked"]);
    expect(s).toEqual({ failedSignIns: 6, lockedAt: t0, lockedUntil: null });
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
