"use server";
// The helpdesk form's action (admin account page): a first submit checks the choice and the reason and asks for a
// confirmation; the confirming submit performs it and returns to the account with a notice. A plain form post walks the
// same steps (no JavaScript needed); every submit re-checks the admin session and re-reads the account.
import { after } from "next/server";
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { getDb } from "@/lib/db/client";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";
import { requireAdminAction } from "./guard";
import { helpdeskActions, REASON_MAX, runHelpdeskAction, type HelpdeskAction } from "./helpdesk";

type ErrorKey = "actionRequired" | "reasonRequired" | "reasonTooLong" | "gone" | "notLocked" | "unavailable";

export type HelpdeskValues = { action?: HelpdeskAction; reason?: string };
export type HelpdeskState =
  | { status: "idle" }
  /** "Terug" from the confirmation: the form again, as it was filled in. */
  | { status: "edit"; values: HelpdeskValues }
  | { status: "invalid"; fieldErrors: { action?: ErrorKey; reason?: ErrorKey }; values: HelpdeskValues }
  /** Checked: the confirmation step shows what will happen. */
  | { status: "confirm"; values: Required<HelpdeskValues> }
  | { status: "refused"; formError: ErrorKey; values: HelpdeskValues };

const schema = z.object({
  accountId: z.uuid(),
  email: z.string().max(254),
  step: z.enum(["review", "confirm", "back"]).default("review"),
  action: z.enum(helpdeskActions, { error: "actionRequired" }),
  reason: z.string().trim().min(1, "reasonRequired").max(REASON_MAX, "reasonTooLong"),
});

export async function helpdeskAction(_prev: HelpdeskState, formData: FormData): Promise<HelpdeskState> {
  const admin = await requireAdminAction("helpdesk");
  const raw = Object.fromEntries([...formData.entries()].filter(([k]) => !k.startsWith("$")).map(([k, v]) => [k, String(v)]));
  const values: HelpdeskValues = {
    action: (helpdeskActions as readonly string[]).includes(raw.action ?? "") ? (raw.action as HelpdeskAction) : undefined,
    reason: (raw.reason ?? "").slice(0, REASON_MAX * 2),
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors: { action?: ErrorKey; reason?: ErrorKey } = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (field === "action") fieldErrors.action ??= "actionRequired";
      if (field === "reason") fieldErrors.reason ??= issue.message === "reasonTooLong" ? "reasonTooLong" : "reasonRequired";
    }
    // A missing or altered account id is no field the administrator can correct: the account is gone for this form.
    if (!fieldErrors.action && !fieldErrors.reason) return { status: "refused", formError: "gone", values };
    return { status: "invalid", fieldErrors, values };
  }
  const { accountId, email, step, action, reason } = parsed.data;
  if (step === "back") return { status: "edit", values: { action, reason } };
  if (step === "review") return { status: "confirm", values: { action, reason } };

  const context = await getRequestContext();
  let result;
  try {
    result = await runHelpdeskAction(await getDb(), { admin, accountId, action, reason }, { context, schedule: after });
  } catch (error) {
    if (!(error instanceof AccountStoreUnavailable)) throw error;
    console.error(`helpdesk action failed [${context.requestId}]`, error.message);
    return { status: "refused", formError: "unavailable", values: { action, reason } };
  }
  if (result.kind === "gone") return { status: "refused", formError: "gone", values: { action, reason } };
  if (result.kind === "not-locked") return { status: "refused", formError: "notLocked", values: { action, reason } };
  const query: Record<string, string> = { user: email, done: action };
  if (result.notified) query.sms = "1";
  return redirect({ href: { pathname: "/admin/accounts", query }, locale: await getLocale() });
}
