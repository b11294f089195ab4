// The tasks after a response are counted until they finish, and a shutdown waits for them (lib/background.ts).
import { describe, expect, it, vi } from "vitest";
import { backgroundTasks, countedSchedule, settleBackground } from "./background";

vi.mock("server-only", () => ({}));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("work after the response", () => {
  it("counts a task from the moment it is scheduled, before its runner starts it, until it has finished", async () => {
    const later: Array<() => Promise<void>> = [];
    const schedule = countedSchedule("req-1", (callback) => void later.push(callback));
    const g = gate();
    let finished = false;
    schedule(async () => {
      await g.opened;
      finished = true;
    });
    // Not started yet (the response is still being sent): already counted, so a shutdown now waits for it.
    expect(backgroundTasks()).toBe(1);
    const settled = settleBackground(5_000);
    void later[0]!();
    g.open();
    expect(await settled).toBe(true);
    expect(finished).toBe(true);
    expect(backgroundTasks()).toBe(0);
  });

  it("waits for a task scheduled by one that is running", async () => {
    const schedule = countedSchedule("req-2");
    const order: string[] = [];
    schedule(async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push("first");
      schedule(async () => {
        await new Promise((r) => setTimeout(r, 20));
        order.push("second");
      });
    });
    expect(await settleBackground(5_000)).toBe(true);
    expect(order).toEqual(["first", "second"]);
  });

  it("logs a failed task with its request id and still counts it as done", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    countedSchedule("req-3")(async () => {
      throw new Error("provider down");
    });
    expect(await settleBackground(5_000)).toBe(true);
    expect(error).toHaveBeenCalledWith("background task failed [req-3]", "provider down");
    error.mockRestore();
  });

  it("gives up waiting after its limit when a runner never starts a task", async () => {
    countedSchedule("req-4", () => {})(async () => {});
    expect(await settleBackground(50)).toBe(false);
    expect(backgroundTasks()).toBe(1);
  });
});
