"use server";
// Server actions of the admin area: sign in (password, then the SMS code), a new code, cancel, sign out. The same code
// serves JavaScript and plain form posts; every one re-reads the attempt or session it acts on.
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { orUnavailable, toUnavailablePage } from "@/lib/errors/unavailable";
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { asForm, formKeys, parseForm, type Idle, type Invalid, type Refused } from "@/lib/forms/form-state";
import type { MessageKey } from "@/lib/i18n/message-keys";
import { redirect } from "@/lib/i18n/navigation";
import type { SignInKey, SignInState } from "@/lib/auth/actions";
import { getRequestContext } from "@/lib/security/request-context";
import { codeInputSchema } from "@/lib/verification/code-input";
import { secondsUntil } from "@/lib/verification/policy";
import { requireAdminAction } from "./guard";
import { safeAdminPath } from "./rules";
import { checkAdminSession, endAdminSession, getAdminCookie } from "./session";
import { cancelAdminSignIn, loadPendingSignIn, resendAdminCode, startAdminSignIn, verifyAdminCode } from "./sign-in";

type Href = Parameters<typeof redirect>[0]["href"];

async function go(href: Href): Promise<never> {
  return redirect({ href, locale: await getLocale() });
}

/** Back to the admin sign-in, with a notice (ended, signedOut, expired) and the page to return to. */
const toSignIn = (notice: string | null, next?: string | null): Href => {
  const query: Record<string, string> = notice ? { [notice]: "1" } : {};
  const safe = safeAdminPath(next);
  if (safe) query.next = safe;
  return Object.keys(query).length ? { pathname: "/admin/sign-in", query } : "/admin/sign-in";
};

const signInKeys = formKeys<SignInKey>("Admin.signIn.errors.invalid");
const signInSchema = z.object({
  username: z
    .string()
    .trim()
    .min(1, signInKeys.key("Admin.signIn.errors.usernameRequired"))
    .max(254, signInKeys.key("Admin.signIn.errors.invalid")),
  password: z
    .string()
    .min(1, signInKeys.key("Admin.signIn.errors.passwordRequired"))
    .max(1024, signInKeys.key("Admin.signIn.errors.invalid")),
  next: z.string().max(512).default(""),
});

/** Step 1: user ID and password; an administrator with the right password gets a code by SMS and the code page. */
export async function adminSignInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  formData = asForm(formData);
  const values = { username: String(formData.get("username") ?? "").slice(0, 254) };
  const parsed = parseForm(signInSchema, formData, signInKeys);
  if (!parsed.ok)
    return { status: "invalid", fieldErrors: { username: parsed.fieldErrors.username, password: parsed.fieldErrors.password }, values };
  const context = await getRequestContext();
  let result;
  try {
    result = await startAdminSignIn(await getDb(), { userId: parsed.data.username, password: parsed.data.password, context });
  } catch (error) {
    if (error instanceof AccountStoreUnavailable) return toUnavailablePage(error, { during: "admin-sign-in" });
    console.error(`admin sign-in failed unexpectedly [${context.requestId}]`, error);
    return { status: "refused", formError: "Admin.signIn.errors.unavailable", values };
  }
  switch (result.kind) {
    case "code-sent": {
      const cookie = await getAdminCookie();
      cookie.token = result.token;
      await cookie.save();
      const next = safeAdminPath(parsed.data.next);
      return go(next ? { pathname: "/admin/sign-in/code", query: { next } } : "/admin/sign-in/code");
    }
    case "rate-limited":
      return { status: "refused", formError: "Admin.signIn.errors.rateLimited", params: { time: result.retryAt.toISOString() }, values };
    case "no-mobile":
      return { status: "refused", formError: "Admin.signIn.errors.noMobile", values };
    case "send-failed":
      return { status: "refused", formError: "Admin.signIn.errors.sendFailed", values };
    case "locked":
      return { status: "refused", formError: "Admin.signIn.errors.locked", values };
    case "invalid":
      return { status: "refused", formError: "Admin.signIn.errors.invalid", values };
  }
}

type AdminCodeKey = MessageKey<"Admin.code">;
export type AdminCodeState = Idle | (Invalid<"code", AdminCodeKey> & { attemptsLeft?: number });
export type AdminResendState = Idle | { status: "resent" } | Refused<AdminCodeKey, { seconds: number }>;

const codeKeys = formKeys<AdminCodeKey>("errors.codeFormat");
const codeSchema = z.object({
  code: codeInputSchema({ required: codeKeys.key("errors.codeRequired"), format: codeKeys.key("errors.codeFormat") }),
  next: z.string().max(512).default(""),
});

/** The attempt this browser is in, or straight back to the sign-in when there is none (any more). */
async function withPending() {
  const db = await getDb();
  const ctx = { context: await getRequestContext() };
  const cookie = await getAdminCookie();
  const pending = await orUnavailable({ during: "admin-sign-in-code" }, () => loadPendingSignIn(db, cookie.token, ctx));
  if (!pending) {
    cookie.destroy();
    return go(toSignIn("ended"));
  }
  return { db, ctx, cookie, pending };
}

/** Step 2: the code from the SMS; the right one opens the admin area (or the page the administrator came for). */
export async function verifyAdminCodeAction(_prev: AdminCodeState, formData: FormData): Promise<AdminCodeState> {
  formData = asForm(formData);
  const { db, ctx, cookie, pending } = await withPending();
  const parsed = parseForm(codeSchema, formData, codeKeys);
  if (!parsed.ok) return { status: "invalid", fieldErrors: { code: parsed.fieldErrors.code } };
  const result = await verifyAdminCode(db, pending, parsed.data.code, ctx);
  if (result.kind === "signed-in") {
    cookie.token = result.token;
    await cookie.save();
    return go(safeAdminPath(parsed.data.next) ?? "/admin");
  }
  if (result.kind === "ended") {
    cookie.destroy();
    return go(toSignIn("ended"));
  }
  return { status: "invalid", fieldErrors: { code: `errors.${result.kind}` }, attemptsLeft: result.attemptsLeft };
}

/** "Nieuwe code sturen": after the cooldown, at most three codes per attempt. */
export async function resendAdminCodeAction(_prev: AdminResendState, _formData: FormData): Promise<AdminResendState> {
  const { db, ctx, pending } = await withPending();
  const result = await resendAdminCode(db, pending, ctx);
  switch (result.kind) {
    case "sent":
      return { status: "resent" };
    case "gone":
      return go(toSignIn("ended"));
    case "cooldown":
      return {
        status: "refused",
        formError: "errors.cooldown",
        params: { seconds: Math.max(1, secondsUntil(result.retryAt, new Date())) },
      };
    default:
      return { status: "refused", formError: `errors.${result.kind}`, params: { seconds: 0 } };
  }
}

/** "Annuleren" on the code page: the attempt ends and the browser forgets it. A PostForm's action (a real form address). */
export async function cancelAdminSignInAction(_prev: null, _form: FormData): Promise<null> {
  const db = await getDb();
  const ctx = { context: await getRequestContext() };
  const cookie = await getAdminCookie();
  const pending = await loadPendingSignIn(db, cookie.token, ctx);
  if (pending) await cancelAdminSignIn(db, pending, ctx);
  cookie.destroy();
  return go(toSignIn(null));
}

/** "Afmelden": ends the admin session on the server (an old copy of the cookie opens nothing) and in the browser. */
export async function adminSignOutAction(_prev: null, _form: FormData): Promise<null> {
  await requireAdminAction("sign-out");
  const db = await getDb();
  const ctx = { context: await getRequestContext() };
  const cookie = await getAdminCookie();
  const session = await checkAdminSession(db, cookie.token, ctx);
  if (session.kind === "active") await endAdminSession(db, session.sessionId, session.identity.userId, "signed-out", ctx);
  cookie.destroy();
  return go(toSignIn("signedOut"));
}
