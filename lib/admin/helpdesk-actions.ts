"use server";
// The helpdesk form's action (admin account page): a first submit checks the choice and the reason and asks for a
// confirmation; the confirming submit performs it and returns to the account with a notice. A plain form post walks the
// same steps (no JavaScript needed); every submit re-checks the admin session and re-reads the account.
import { after } from "next/server";
import { getLocale } from "next-intl/server";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { countedSchedule } from "@/lib/background";
import { getDb } from "@/lib/db/client";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";
import { requireAdminAction } from "./guard";
import { runHelpdeskAction } from "./helpdesk";
import { readHelpdeskSubmit, type HelpdeskState } from "./helpdesk-form";

export async function helpdeskAction(_prev: HelpdeskState, formData: FormData): Promise<HelpdeskState> {
  const admin = await requireAdminAction("helpdesk");
  const raw = Object.fromEntries([...formData.entries()].filter(([k]) => !k.startsWith("$")).map(([k, v]) => [k, String(v)]));
  const submit = readHelpdeskSubmit(raw);
  if (submit.kind === "answer") return submit.state;
  const { accountId, email, action, reason } = submit;

  const context = await getRequestContext();
  let result;
  try {
    result = await runHelpdeskAction(
      await getDb(),
      { admin, accountId, action, reason },
      { context, schedule: countedSchedule(context.requestId, after) },
    );
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
