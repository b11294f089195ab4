// Step → page: every step has its own wizard page, and a flow that is gone goes back to the start.
import { describe, expect, it } from "vitest";
import { STEPS } from "./flow";
import { START_PATH, forSubmission, pathFor, pathForStep } from "./step-paths";

describe("step paths", () => {
  it("every step has its own page", () => {
    expect(new Set(STEPS.map(pathForStep)).size).toBe(STEPS.length);
    expect(STEPS.map(pathForStep)).not.toContain(START_PATH);
  });

  it("a destination is a step's page, or the start", () => {
    expect(pathFor({ kind: "moved", step: "intent" })).toBe("/recover/reason");
    expect(pathFor({ kind: "moved", step: "ended" })).toBe("/recover/ended");
    expect(pathFor({ kind: "restart" })).toBe("/recover");
  });

  it("a form sent to a completed flow is told it has ended, never shown the done page again", () => {
    expect(forSubmission({ kind: "moved", step: "done" })).toEqual({ kind: "finished" });
    expect(pathFor(forSubmission({ kind: "moved", step: "done" }))).toBe("/recover/ended");
    expect(forSubmission({ kind: "moved", step: "code" })).toEqual({ kind: "moved", step: "code" });
    expect(forSubmission({ kind: "restart" })).toEqual({ kind: "restart" });
  });
});
