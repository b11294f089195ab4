// Work that runs after the response: a code's or a notification's first send, so that how long a step takes never
// tells whether a number matched, and a provider's slowness never holds up a page. Each task is counted from the moment
// it is scheduled until it has finished, and a graceful shutdown waits for them (lib/startup.ts registers
// settleBackground before the message worker and the database close): a SIGTERM right after a reset must not cut off
// the code or the alert that the page just said was on its way.
import "server-only";

/** Runs a task later (Next's after() in the portal; a test's own queue); the task reports its own failure. */
export type Schedule = (task: () => Promise<void>) => void;

/** How long a shutdown waits for the tasks still running (a provider's deadline is shorter). */
export const SETTLE_LIMIT_MS = 30_000;

// On globalThis: Next bundles the portal's start (instrumentation.ts, which registers the shutdown hook) apart from the
// routes and actions that schedule the work, and each bundle has its own copy of this module.
const pendingKey = Symbol.for("toegang.background");
const pending: Set<Promise<void>> = ((globalThis as { [pendingKey]?: Set<Promise<void>> })[pendingKey] ??= new Set());

/**
 * Wraps a runner (`after` from next/server, or a test's) so that every task it is given is counted until it is done and
 * a failure is logged with the request's id instead of becoming an unhandled rejection.
 */
export function countedSchedule(requestId: string, runLater: (callback: () => Promise<void>) => void = runNow): Schedule {
  return (task) => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    pending.add(done);
    void done.then(() => pending.delete(done));
    runLater(async () => {
      try {
        await task();
      } catch (error) {
        console.error(`background task failed [${requestId}]`, error instanceof Error ? error.message : error);
      } finally {
        finish();
      }
    });
  };
}

/** Without a request's after() (scripts, tests): started at once, in the background. */
function runNow(callback: () => Promise<void>): void {
  void callback();
}

/** How many scheduled tasks have not finished yet. */
export function backgroundTasks(): number {
  return pending.size;
}

/**
 * Waits until every scheduled task has finished (also those scheduled meanwhile), at most `limitMs`; true when none is
 * left. A runner that never starts a task it was given cannot hold a shutdown beyond the limit.
 */
export async function settleBackground(limitMs = SETTLE_LIMIT_MS): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (pending.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
  return true;
}
