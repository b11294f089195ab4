// The one map from where a flow is to the wizard page that shows it: lib code speaks in steps, pages and actions in paths.
import type { Step } from "./flow";

/** "Wie bent u?": where a browser without a (live) flow starts. */
export const START_PATH = "/recover";

/** The wizard page that shows a step. */
export function pathForStep(
  step: Step,
): "/recover/reason" | "/recover/verify" | "/recover/code" | "/recover/password" | "/recover/done" | "/recover/ended" {
  switch (step) {
    case "intent":
      return "/recover/reason";
    case "verify":
      return "/recover/verify";
    case "code":
      return "/recover/code";
    case "password":
      return "/recover/password";
    case "done":
      return "/recover/done";
    case "ended":
      return "/recover/ended";
  }
}

/** Where a step function or the guard sends the browser: a step's page, or the start for a flow that is gone. */
export type Destination = { kind: "moved"; step: Step } | { kind: "restart" };

export function pathFor(destination: Destination): ReturnType<typeof pathForStep> | typeof START_PATH {
  return destination.kind === "moved" ? pathForStep(destination.step) : START_PATH;
}
