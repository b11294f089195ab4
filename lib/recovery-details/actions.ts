"use server";
// "Mijn herstelgegevens" server actions: start a number change (new number + current password), confirm it with the code
// sent to the new number, cancel it, and "Ja, dit nummer klopt" on the Werkplek. The same code serves JavaScript and plain
// form posts; every action re-reads the signed-in account from its session.
import { after } from "next/server";
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { countedSchedule } from "@/lib/background";
import { currentAccount } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { asForm, formKeys, parseForm, type Idle, type Invalid, type Refused } from "@/lib/forms/form-state";
import type { MessageKey } from "@/lib/i18n/message-keys";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";
import { codeInputSchema } from "@/lib/verification/code-input";
import { cancelMobileChange, confirmCurrentMobile, startMobileChange, verifyMobileChange, type DetailsCtx } from "./service";

type Key = MessageKey<"RecoveryDetails">;
type Href = Parameters<typeof redirect>[0]["href"];

const PAGE = "/home/recovery-details";

async function go(href: Href): Promise<never> {
  return redirect({ href, locale: await getLocale() });
}

/** The signed-in account, or the sign-in page (an ended session). */
async function signedIn() {
  const db = await getDb();
  const { account, hadCookie } = await currentAccount(db);
  if (!account) return go(hadCookie ? "/?ended=1" : "/");
  const context = await getRequestContext();
  const ctx: DetailsCtx = { context, schedule: countedSchedule(context.requestId, after) };
  return { db, account, ctx };
}

export type MobileChangeState = Idle | Invalid<"mobile" | "password", Key, "mobile"> | Refused<Key, object, "mobile">;

const changeKeys = formKeys<Key>("errors.invalid");
const changeSchema = z.object({
  mobile: z.string().trim().min(1, changeKeys.key("errors.mobileRequired")).max(40, changeKeys.key("errors.invalid")),
  password: z.string().min(1, changeKeys.key("errors.passwordRequired")).max(1024, changeKeys.key("errors.wrong-password")),
});

/** Step 1: the new number and the current password; a code goes to the new number and the page asks for it. */
export async function changeMobileAction(_prev: MobileChangeState, formData: FormData): Promise<MobileChangeState> {
  formData = asForm(formData);
  const { db, account, ctx } = await signedIn();
  const values = { mobile: String(formData.get("mobile") ?? "").slice(0, 40) };
  const parsed = parseForm(changeSchema, formData, changeKeys);
  if (!parsed.ok)
    return { status: "invalid", fieldErrors: { mobile: parsed.fieldErrors.mobile, password: parsed.fieldErrors.password }, values };
  let result;
  try {
    result = await startMobileChange(db, account, parsed.data, ctx);
  } catch (error) {
    if (!(error instanceof AccountStoreUnavailable)) throw error;
    console.error(`recovery details failed [${ctx.context.requestId}]`, error.message);
    return { status: "refused", formError: "errors.unavailable", values };
  }
  switch (result.kind) {
    case "code-sent":
      return go(PAGE);
    case "number":
      return { status: "invalid", fieldErrors: { mobile: `errors.${result.problem}` }, values };
    case "wrong-password":
      return { status: "invalid", fieldErrors: { password: "errors.wrong-password" }, values };
    case "locked":
    case "rate-limited":
    case "send-failed":
      return { status: "refused", formError: `errors.${result.kind}`, values };
  }
}

export type MobileCodeState = Idle | (Invalid<"code", Key> & { attemptsLeft?: number });

const codeKeys = formKeys<Key>("errors.codeFormat");
const codeSchema = z.object({
  code: codeInputSchema({ required: codeKeys.key("errors.codeRequired"), format: codeKeys.key("errors.codeFormat") }),
});

/** Step 2: the code from the new number; the right one stores the number and tells the old number. */
export async function verifyMobileCodeAction(_prev: MobileCodeState, formData: FormData): Promise<MobileCodeState> {
  formData = asForm(formData);
  const { db, account, ctx } = await signedIn();
  const parsed = parseForm(codeSchema, formData, codeKeys);
  if (!parsed.ok) return { status: "invalid", fieldErrors: { code: parsed.fieldErrors.code } };
  let result;
  try {
    result = await verifyMobileChange(db, account, parsed.data.code, ctx);
  } catch (error) {
    if (!(error instanceof AccountStoreUnavailable)) throw error;
    console.error(`recovery details failed [${ctx.context.requestId}]`, error.message);
    return go({ pathname: PAGE, query: { done: "unavailable" } });
  }
  switch (result.kind) {
    case "changed":
      return go({ pathname: PAGE, query: { done: result.registered ? "registered" : "changed" } });
    case "already-changed":
      return go({ pathname: PAGE, query: { done: "already-changed" } });
    case "ended":
      return go({ pathname: PAGE, query: { done: "ended" } });
    default:
      return { status: "invalid", fieldErrors: { code: `errors.${result.kind}` }, attemptsLeft: result.attemptsLeft };
  }
}

/** "Annuleren" on the code step. */
export async function cancelMobileChangeAction(_prev: null, _form: FormData): Promise<null> {
  const { db, account, ctx } = await signedIn();
  await cancelMobileChange(db, account, ctx);
  return go({ pathname: PAGE, query: { done: "cancelled" } });
}

/** "Ja, dit nummer klopt" on the Werkplek: one click, audited, and the date starts over. */
export async function confirmMobileAction(_prev: null, _form: FormData): Promise<null> {
  const { db, account, ctx } = await signedIn();
  const result = await confirmCurrentMobile(db, account, ctx);
  return go(result.kind === "confirmed" ? { pathname: "/home", query: { confirmed: "1" } } : PAGE);
}
