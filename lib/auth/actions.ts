"use server";
// Server actions for signing in and out; the same code serves JavaScript and plain form posts.
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { hitLimit } from "@/lib/limits/rate-limit";
import { parseForm, type FormState } from "@/lib/forms/form-state";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";
import { getUserSession } from "./session";
import { signIn } from "./sign-in";

const signInSchema = z.object({
  username: z.string().trim().min(1, "errors.usernameRequired").max(254, "errors.invalid"),
  password: z.string().min(1, "errors.passwordRequired").max(1024, "errors.invalid"),
});

export type SignInField = "username" | "password";

const signInLimit = (c: ReturnType<typeof getConfig>) => ({ name: "sign-in:ip", max: c.limits.signInPerIpPerHour, windowSeconds: 3600 });

/** Signs in with user ID and password; on success opens the Werkplek home page. */
export async function signInAction(_prev: FormState<SignInField>, formData: FormData): Promise<FormState<SignInField>> {
  const parsed = parseForm(signInSchema, formData);
  const username = String(formData.get("username") ?? "").slice(0, 254);
  if (!parsed.ok) return { status: "error", fieldErrors: parsed.fieldErrors, values: { username } };
  const context = await getRequestContext();
  let result;
  try {
    const db = await getDb();
    const limit = await hitLimit(db, signInLimit(getConfig()), context.ip ?? "unknown");
    if (!limit.allowed) {
      await recordAudit(db, {
        event: "sign_in.rate_limited",
        outcome: "refused",
        reason: "sign-in-per-ip",
        ip: context.ip,
        userAgent: context.userAgent,
        locale: context.locale,
      });
      return { status: "error", formError: "errors.rateLimited", params: { time: limit.retryAt.toISOString() }, values: { username } };
    }
    result = await signIn(db, { userId: parsed.data.username, password: parsed.data.password, context });
  } catch (error) {
    console.error("sign-in failed unexpectedly", error);
    return { status: "error", formError: "errors.unavailable", values: { username } };
  }
  if (result.kind !== "success") {
    return { status: "error", formError: result.kind === "locked" ? "errors.locked" : "errors.invalid", values: { username } };
  }
  const session = await getUserSession();
  session.userId = result.userId;
  session.sessionVersion = result.sessionVersion;
  session.signedInAt = Date.now();
  await session.save();
  return redirect({ href: "/home", locale: await getLocale() });
}

/** Ends the session and returns to sign-in. */
export async function signOutAction(): Promise<void> {
  const session = await getUserSession();
  const userId = session.userId;
  session.destroy();
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
  redirect({ href: "/?signedOut=1", locale: await getLocale() });
}
