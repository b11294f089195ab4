"use server";
// Server actions for signing in and out; the same code serves JavaScript and plain form posts.
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { toUnavailablePage } from "@/lib/errors/unavailable";
import { asForm, formKeys, parseForm, type Idle, type Invalid, type Refused } from "@/lib/forms/form-state";
import type { FullKey } from "@/lib/i18n/message-keys";
import { redirect } from "@/lib/i18n/navigation";
import { limits } from "@/lib/limits/policies";
import { hitLimit } from "@/lib/limits/rate-limit";
import { getRequestContext } from "@/lib/security/request-context";
import { getUserSession } from "./session";
import { endUserSession, openUserSession } from "./sessions";
import { signIn } from "./sign-in";

export type SignInField = "username" | "password";

/**
 * The sign-in form's state, shared by the portal's and the admin's sign-in (one form, two namespaces): full message
 * keys, so each action names the texts of its own page.
 */
export type SignInKey = FullKey<"SignInPage.errors"> | FullKey<"Admin.signIn.errors">;
export type SignInState = Idle | Invalid<SignInField, SignInKey, "username"> | Refused<SignInKey, { time: string }, "username">;

const keys = formKeys<SignInKey>("SignInPage.errors.invalid");
const signInSchema = z.object({
  username: z.string().trim().min(1, keys.key("SignInPage.errors.usernameRequired")).max(254, keys.key("SignInPage.errors.invalid")),
  password: z.string().min(1, keys.key("SignInPage.errors.passwordRequired")).max(1024, keys.key("SignInPage.errors.invalid")),
});

/** Signs in with user ID and password; on success opens the Werkplek home page. */
export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  formData = asForm(formData);
  const parsed = parseForm(signInSchema, formData, keys);
  const values = { username: String(formData.get("username") ?? "").slice(0, 254) };
  if (!parsed.ok)
    return { status: "invalid", fieldErrors: { username: parsed.fieldErrors.username, password: parsed.fieldErrors.password }, values };
  const context = await getRequestContext();
  let result;
  try {
    const db = await getDb();
    const policy = limits.signInPerIp(getConfig());
    const limit = await hitLimit(db, policy, context.ip ?? "unknown");
    if (!limit.allowed) {
      await recordAudit(db, {
        event: "sign_in.rate_limited",
        outcome: "refused",
        reason: policy.reason,
        ip: context.ip,
        userAgent: context.userAgent,
        locale: context.locale,
      });
      return { status: "refused", formError: "SignInPage.errors.rateLimited", params: { time: limit.retryAt.toISOString() }, values };
    }
    result = await signIn(db, { userId: parsed.data.username, password: parsed.data.password, context });
  } catch (error) {
    if (error instanceof AccountStoreUnavailable) return toUnavailablePage(error, { during: "sign-in" });
    console.error(`sign-in failed unexpectedly [${context.requestId}]`, error);
    return { status: "refused", formError: "SignInPage.errors.unavailable", values };
  }
  if (result.kind !== "success") {
    const formError = {
      locked: "SignInPage.errors.locked",
      "must-change": "SignInPage.errors.mustChange",
      expired: "SignInPage.errors.expired",
      invalid: "SignInPage.errors.invalid",
    } as const;
    return { status: "refused", formError: formError[result.kind], values };
  }
  let opened;
  try {
    opened = await openUserSession(await getDb(), result.userId);
  } catch (error) {
    console.error(`sign-in failed unexpectedly [${context.requestId}]`, error);
    return { status: "refused", formError: "SignInPage.errors.unavailable", values };
  }
  const session = await getUserSession();
  session.token = opened.token;
  await session.save();
  return redirect({ href: "/home", locale: await getLocale() });
}

/** Ends the session on the server (a copy of the cookie stops working too), forgets the cookie and returns to sign-in. */
export async function signOutAction(_prev: null, _form: FormData): Promise<null> {
  const session = await getUserSession();
  const token = session.token;
  session.destroy();
  const userId = token ? await endUserSession(await getDb(), token, "signed-out") : null;
  if (userId) {
    const context = await getRequestContext();
    await recordAudit(await getDb(), {
      event: "user.signed_out",
      outcome: "success",
      userId,
      ip: context.ip,
      userAgent: context.userAgent,
      locale: context.locale,
    });
  }
  return redirect({ href: "/?signedOut=1", locale: await getLocale() });
}
