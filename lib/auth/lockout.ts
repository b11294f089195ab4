// Pure lockout arithmetic: what a sign-in attempt does to an account's failure counter and lock.
export type LockState = { failedSignIns: number; lockedAt: Date | null; lockedUntil: Date | null };
export type LockPolicy = { threshold: number; durationMinutes: number };

export type SignInDecision =
  | { outcome: "success"; next: LockState; lockExpired: boolean }
  | { outcome: "wrong-password"; next: LockState; failuresLeft: number; lockExpired: boolean }
  | { outcome: "locked-now"; next: LockState; lockExpired: boolean }
  /** Refused while locked; `answer` is what the person is told (see decideSignIn). */
  | { outcome: "locked"; next: LockState; answer: "invalid" | "locked" };

export const unlocked: LockState = { failedSignIns: 0, lockedAt: null, lockedUntil: null };

/** A lock holds until lockedUntil passes; with no lockedUntil it holds until someone unlocks it. */
export function isLocked(state: LockState, now: Date): boolean {
  if (!state.lockedAt) return false;
  return state.lockedUntil === null || now < state.lockedUntil;
}

/**
 * Decides one attempt; an expired lock starts from zero. Attempts while locked are refused, right password or wrong, and
 * never extend the lock; they are counted, though, and answered the way failures on any other account are: "wrong
 * password" until the count reaches the threshold, then "locked". So an account locked by an operator (or whose lock
 * nobody saw coming) answers a stranger's first wrong password like an unlocked or unknown ID does, instead of telling
 * that it exists and is locked; an account locked by failures (count at the threshold already) keeps saying "locked".
 */
export function decideSignIn(state: LockState, passwordOk: boolean, now: Date, policy: LockPolicy): SignInDecision {
  if (isLocked(state, now)) {
    const failedSignIns = state.failedSignIns + 1;
    return { outcome: "locked", next: { ...state, failedSignIns }, answer: failedSignIns >= policy.threshold ? "locked" : "invalid" };
  }
  const lockExpired = state.lockedAt !== null;
  const current = lockExpired ? unlocked : state;
  if (passwordOk) return { outcome: "success", next: unlocked, lockExpired };
  const failedSignIns = current.failedSignIns + 1;
  if (failedSignIns >= policy.threshold) {
    const lockedUntil = policy.durationMinutes > 0 ? new Date(now.getTime() + policy.durationMinutes * 60_000) : null;
    return { outcome: "locked-now", next: { failedSignIns, lockedAt: now, lockedUntil }, lockExpired };
  }
  return {
    outcome: "wrong-password",
    next: { ...current, failedSignIns },
    failuresLeft: policy.threshold - failedSignIns,
    lockExpired,
  };
}

export type LockView = { locked: boolean; lockedUntil: Date | null; failedSignIns: number };

/** The lock as operators see it at a moment: an expired lock is no lock, and its stale counter reads as zero. */
export function lockView(state: LockState, now: Date): LockView {
  const locked = isLocked(state, now);
  return { locked, lockedUntil: locked ? state.lockedUntil : null, failedSignIns: state.lockedAt && !locked ? 0 : state.failedSignIns };
}
