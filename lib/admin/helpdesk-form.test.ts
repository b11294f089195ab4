// The helpdesk form's steps: nothing is performed without an action, a reason and the confirming submit; "Terug" keeps
// what was typed; a tampered account id is refused, not offered as a field to correct.
import { describe, expect, it } from "vitest";
import { readHelpdeskSubmit, REASON_MAX } from "./helpdesk-form";

const base = { accountId: "6f1c2a7e-3b4d-4c5e-8f90-1a2b3c4d5e6f", email: "jan.jansen@flynth.nl" };

describe("helpdesk form steps", () => {
  it("asks for an action and a reason, keeping what was typed", () => {
    expect(readHelpdeskSubmit({ ...base, step: "review", reason: "  " })).toEqual({
      kind: "answer",
      state: {
        status: "invalid",
        fieldErrors: { action: "actionRequired", reason: "reasonRequired" },
        values: { action: undefined, reason: "  " },
      },
    });
    expect(readHelpdeskSubmit({ ...base, step: "review", action: "unlock", reason: "x".repeat(REASON_MAX + 1) })).toMatchObject({
      state: { status: "invalid", fieldErrors: { reason: "reasonTooLong" }, values: { action: "unlock" } },
    });
    expect(readHelpdeskSubmit({ ...base, step: "review", action: "delete-everything", reason: "melding 12" })).toMatchObject({
      state: { status: "invalid", fieldErrors: { action: "actionRequired" }, values: { reason: "melding 12" } },
    });
  });

  it("shows the confirmation first, goes back with the values, and performs only on the confirming submit", () => {
    const filled = { ...base, action: "require-change", reason: " Melding 4711 " };
    expect(readHelpdeskSubmit({ ...filled, step: "review" })).toEqual({
      kind: "answer",
      state: { status: "confirm", values: { action: "require-change", reason: "Melding 4711" } },
    });
    // A submit without a step (Enter in a field) is a review, never the action.
    expect(readHelpdeskSubmit(filled)).toMatchObject({ kind: "answer", state: { status: "confirm" } });
    expect(readHelpdeskSubmit({ ...filled, step: "back" })).toEqual({
      kind: "answer",
      state: { status: "edit", values: { action: "require-change", reason: "Melding 4711" } },
    });
    expect(readHelpdeskSubmit({ ...filled, step: "confirm" })).toEqual({
      kind: "perform",
      accountId: base.accountId,
      email: base.email,
      action: "require-change",
      reason: "Melding 4711",
    });
    // The confirming submit is checked again: a reason emptied on the way is refused.
    expect(readHelpdeskSubmit({ ...filled, reason: "", step: "confirm" })).toMatchObject({ kind: "answer", state: { status: "invalid" } });
  });

  it("refuses a missing or altered account id as gone", () => {
    expect(readHelpdeskSubmit({ ...base, accountId: "../../etc", action: "unlock", reason: "r", step: "confirm" })).toEqual({
      kind: "answer",
      state: { status: "refused", formError: "gone", values: { action: "unlock", reason: "r" } },
    });
  });
});
