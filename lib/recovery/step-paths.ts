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

/**
 * Where a step function or the guard sends the browser: a step's page, the start for a flow that is gone, or — for a
 * form sent to a flow that was already completed (Back after "done", a second tab) — the page that says the flow has
 * ended and nothing was changed now. Never the done page: that would claim a success the request did not have.
 */
export type Destination = { kind: "moved"; step: Step } | { kind: "restart" } | { kind: "finished" };

export function pathFor(destination: Destination): ReturnType<typeof pathForStep> | typeof START_PATH {
  switch (destination.kind) {
    case "moved":
      return pathForStep(destination.step);
    case "finished":
      return pathForStep("ended");
    case "restart":
      return START_PATH;
  }
}

/** A form's request that found its flow completed by an earlier one: "finished", never the done page. */
export function forSubmission(destination: Destination): Destination {
  return destination.kind === "moved" && destination.step === "done" ? { kind: "finished" } : destination;
}
