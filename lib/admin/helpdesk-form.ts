// The helpdesk form's steps (pure, no I/O): what a submit asks for — back to the form, the confirmation, or the action
// itself — or which fields the administrator must correct. The server action (helpdesk-actions.ts) acts on the answer.
import { z } from "zod";

export const helpdeskActions = ["unlock", "end-sessions", "require-change"] as const;
export type HelpdeskAction = (typeof helpdeskActions)[number];

/** The longest reason kept in the audit trail. */
export const REASON_MAX = 500;

export type HelpdeskErrorKey = "actionRequired" | "reasonRequired" | "reasonTooLong" | "gone" | "notLocked" | "unavailable";

export type HelpdeskValues = { action?: HelpdeskAction; reason?: string };
export type HelpdeskState =
  | { status: "idle" }
  /** "Terug" from the confirmation: the form again, as it was filled in. */
  | { status: "edit"; values: HelpdeskValues }
  | { status: "invalid"; fieldErrors: { action?: HelpdeskErrorKey; reason?: HelpdeskErrorKey }; values: HelpdeskValues }
  /** Checked: the confirmation step shows what will happen. */
  | { status: "confirm"; values: Required<HelpdeskValues> }
  | { status: "refused"; formError: HelpdeskErrorKey; values: HelpdeskValues };

const schema = z.object({
  accountId: z.uuid(),
  email: z.string().max(254),
  step: z.enum(["review", "confirm", "back"]).default("review"),
  action: z.enum(helpdeskActions, { error: "actionRequired" }),
  reason: z.string().trim().min(1, "reasonRequired").max(REASON_MAX, "reasonTooLong"),
});

export type HelpdeskSubmit =
  { kind: "answer"; state: HelpdeskState } | { kind: "perform"; accountId: string; email: string; action: HelpdeskAction; reason: string };

/** One submit of the form: the next state to show, or (the confirming submit, re-checked) the action to perform. */
export function readHelpdeskSubmit(raw: Record<string, string>): HelpdeskSubmit {
  const values: HelpdeskValues = {
    action: (helpdeskActions as readonly string[]).includes(raw.action ?? "") ? (raw.action as HelpdeskAction) : undefined,
    reason: (raw.reason ?? "").slice(0, REASON_MAX * 2),
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors: { action?: HelpdeskErrorKey; reason?: HelpdeskErrorKey } = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === "action") fieldErrors.action ??= "actionRequired";
      if (field === "reason") fieldErrors.reason ??= issue.message === "reasonTooLong" ? "reasonTooLong" : "reasonRequired";
    }
    // A missing or altered account id is no field the administrator can correct: the account is gone for this form.
    if (!fieldErrors.action && !fieldErrors.reason) return { kind: "answer", state: { status: "refused", formError: "gone", values } };
    return { kind: "answer", state: { status: "invalid", fieldErrors, values } };
  }
  const { accountId, email, step, action, reason } = parsed.data;
  if (step === "back") return { kind: "answer", state: { status: "edit", values: { action, reason } } };
  if (step === "review") return { kind: "answer", state: { status: "confirm", values: { action, reason } } };
  return { kind: "perform", accountId, email, action, reason };
}
