"use server";
// Server actions of the recovery wizard: each re-reads the flow, refuses the wrong step, does one thing, redirects.
import { after } from "next/server";
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { newChallenge } from "@/lib/captcha/builtin";
import { checkCaptcha } from "@/lib/captcha/check";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { parseForm, type FormState } from "@/lib/forms/form-state";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext, type RequestContext } from "@/lib/security/request-context";
import { isFinished, secondsUntil, type Step } from "./flow";
import {
  cancelFlow,
  changeMethod,
  chooseIntent,
  chooseNewPassword,
  guardStep,
  loadFlow,
  noteCaptchaAttempt,
  resendCode,
  startRecovery,
  submitNumber,
  verifyCode,
  type Flow,
  type Scheduler,
} from "./service";
import { currentFlowToken, getFlowCookie } from "./session";

type Href = Parameters<typeof redirect>[0]["href"];

const schedule: Scheduler = (task) =>
  after(() => task().catch((error: unknown) => console.error("delivery task failed", error instanceof Error ? error.message : error)));

async function go(href: string): Promise<never> {
  return redirect({ href: href as Href, locale: await getLocale() });
}

type FlowCtx = { db: Db; flow: Flow; ctx: { context: RequestContext; schedule: Scheduler } };

/** Loads the flow for this browser and allows only the given step; anything else is redirected to where the flow is. */
async function withFlow<R>(step: Step | readonly Step[], fn: (f: FlowCtx) => Promise<R>): Promise<R> {
  const db = await getDb();
  const context = await getRequestContext();
  const ctx = { context, schedule };
  const guard = await guardStep(db, await currentFlowToken(), step, ctx);
  if (guard.kind === "redirect") return go(guard.to);
  return fn({ db, flow: guard.flow, ctx });
}

// ---------------------------------------------------------------------------------------------------------------

export type IdentifyField = "userId" | "captcha" | "captchaWidget";
export type IdentifyState = FormState<IdentifyField> & { captchaToken?: string; values?: Partial<Record<IdentifyField, string>> };

const identifySchema = z.object({
  userId: z.string().trim().min(1, "errors.userIdRequired").max(254, "errors.userIdInvalid").pipe(z.email("errors.userIdInvalid")),
  captcha: z.string().trim().min(1, "errors.captchaRequired").max(20, "errors.captchaWrong"),
  captchaToken: z.string().max(2000).default(""),
  intent: z.enum(["reset", "unlock", ""]).default(""),
  op: z.enum(["next", "refresh"]).default("next"),
});

/** With hCaptcha the built-in answer is optional (only the no-JavaScript fallback has it); checkCaptcha decides. */
const identifyHcaptchaSchema = identifySchema.extend({
  captcha: z.string().trim().max(20, "errors.captchaWrong").default(""),
  "h-captcha-response": z.string().max(10_000, "errors.hcaptchaFailed").default(""),
  noscript: z.string().default(""),
});

/** "Wie bent u?": checks the CAPTCHA, then starts a flow for the typed user ID (known or not) and moves on. */
export async function startRecoveryAction(_prev: IdentifyState, formData: FormData): Promise<IdentifyState> {
  const userId = String(formData.get("userId") ?? "").slice(0, 254);
  const values = { userId };
  if (formData.get("op") === "refresh") return { status: "idle", values, captchaToken: await newChallenge() };
  const parsed = getConfig().hcaptcha ? parseForm(identifyHcaptchaSchema, formData) : parseForm(identifySchema, formData);
  if (!parsed.ok) {
    const {
      captchaToken: _t,
      intent: _i,
      op: _o,
      noscript: _n,
      "h-captcha-response": token,
      ...fieldErrors
    } = parsed.fieldErrors as Record<string, string>;
    return {
      status: "error",
      fieldErrors: { ...fieldErrors, ...(token ? { captchaWidget: token } : {}) },
      values,
      captchaToken: await newChallenge(),
    };
  }
  const db = await getDb();
  const context = await getRequestContext();
  const ctx = { context, schedule };
  const form: z.infer<typeof identifySchema> & Partial<z.infer<typeof identifyHcaptchaSchema>> = parsed.data;
  const captcha = await checkCaptcha(
    db,
    {
      challenge: form.captchaToken,
      answer: form.captcha,
      hcaptchaToken: form["h-captcha-response"] ?? "",
      noscript: form.noscript === "1",
    },
    { typedId: form.userId, context },
  );
  if (captcha.kind === "missing") {
    const error = captcha.field ? { fieldErrors: { [captcha.field]: captcha.error } } : { formError: captcha.error };
    return { status: "error", ...error, values, captchaToken: await newChallenge() };
  }
  // hCaptcha being down is not the user's failure (captcha.unavailable is audited instead), but still counts per IP.
  const limited = await noteCaptchaAttempt(db, { ok: captcha.kind !== "wrong", typedId: form.userId, ...ctx });
  if (limited.limited) {
    return {
      status: "error",
      formError: "errors.rateLimited",
      params: { time: limited.retryAt.toISOString() },
      values,
      captchaToken: await newChallenge(),
    };
  }
  if (captcha.kind !== "ok") {
    return { status: "error", fieldErrors: { [captcha.field]: captcha.error }, values, captchaToken: await newChallenge() };
  }
  const intent = form.intent === "" ? null : form.intent;
  const started = await startRecovery(db, { typedId: form.userId, intent, ...ctx });
  if (started.kind !== "started") {
    const key = started.kind === "blocked" ? "errors.blocked" : "errors.rateLimited";
    return { status: "error", formError: key, params: { time: started.retryAt.toISOString() }, values, captchaToken: await newChallenge() };
  }
  const cookie = await getFlowCookie();
  cookie.token = started.token;
  await cookie.save();
  return go("/recover/reason");
}

// ---------------------------------------------------------------------------------------------------------------

const intentSchema = z.object({ intent: z.enum(["reset", "unlock"], { message: "errors.intentRequired" }) });

/** "Waarom hebt u problemen bij het aanmelden?": reset or unlock. */
export async function chooseIntentAction(_prev: FormState<"intent">, formData: FormData): Promise<FormState<"intent">> {
  return withFlow("intent", async ({ db, flow, ctx }) => {
    const parsed = parseForm(intentSchema, formData);
    if (!parsed.ok) return { status: "error", fieldErrors: parsed.fieldErrors };
    return go((await chooseIntent(db, flow, parsed.data.intent, ctx)).to);
  });
}

// ---------------------------------------------------------------------------------------------------------------

export type VerifyField = "channel" | "phone";
const verifySchema = z.object({
  channel: z.enum(["sms", "voice"], { message: "errors.channelRequired" }),
  phone: z.string().trim().min(1, "errors.phoneRequired").max(40, "errors.invalid-number"),
});

/** Method and full mobile number: a match sends a code to the registered number, never to the typed one. */
export async function submitNumberAction(_prev: FormState<VerifyField>, formData: FormData): Promise<FormState<VerifyField>> {
  return withFlow("verify", async ({ db, flow, ctx }) => {
    const parsed = parseForm(verifySchema, formData);
    const channel = formData.get("channel") === "voice" ? "voice" : "sms";
    const values = { channel };
    if (!parsed.ok) return { status: "error", fieldErrors: parsed.fieldErrors, values };
    const result = await submitNumber(db, flow, { channel: parsed.data.channel, typed: parsed.data.phone, ...ctx });
    if (result.kind === "moved") return go(result.to);
    if (result.error === "invalid-number") return { status: "error", fieldErrors: { phone: "errors.invalid-number" }, values };
    const seconds = secondsUntil(result.retryAt, new Date());
    return { status: "error", formError: `errors.${result.error}`, params: { seconds }, values };
  });
}

// ---------------------------------------------------------------------------------------------------------------

export type CodeState = FormState<"code"> & { resent?: boolean };
const codeSchema = z.object({
  code: z
    .string()
    .transform((s) => s.replace(/[\s-]/g, ""))
    .pipe(
      z
        .string()
        .min(1, "errors.codeRequired")
        .regex(/^\d{6}$/, "errors.codeFormat"),
    ),
});

/** The code step: "Volgende" checks the code; "Opnieuw proberen" and "another method" are separate actions below. */
export async function verifyCodeAction(_prev: CodeState, formData: FormData): Promise<CodeState> {
  return withFlow("code", async ({ db, flow, ctx }) => {
    const parsed = parseForm(codeSchema, formData);
    if (!parsed.ok) return { status: "error", fieldErrors: parsed.fieldErrors };
    const result = await verifyCode(db, flow, parsed.data.code, ctx);
    if (result.kind === "moved") return go(result.to);
    return { status: "error", fieldErrors: { code: `errors.${result.error}` }, params: { attemptsLeft: result.attemptsLeft ?? 0 } };
  });
}

/** "Opnieuw proberen": a new code after the cooldown. */
export async function resendCodeAction(_prev: CodeState, _formData: FormData): Promise<CodeState> {
  return withFlow("code", async ({ db, flow, ctx }) => {
    const result = await resendCode(db, flow, ctx);
    if (result.kind === "error") {
      const seconds = secondsUntil(result.retryAt, new Date());
      return { status: "error", formError: `errors.${result.error}`, params: { seconds } };
    }
    return { status: "idle", resent: true } as CodeState;
  });
}

/** Back to the method and number step. */
export async function changeMethodAction(): Promise<void> {
  await withFlow("code", async ({ db, flow, ctx }) => go((await changeMethod(db, flow, ctx)).to));
}

// ---------------------------------------------------------------------------------------------------------------

export type PasswordField = "password" | "confirmation";
export type PasswordState = FormState<PasswordField> & { rules?: string[] };
const passwordSchema = z.object({
  password: z.string().min(1, "errors.passwordRequired").max(1024, "errors.maxLength"),
  confirmation: z.string().max(1024, "errors.maxLength").default(""),
});

/** "Voltooien": every broken rule is named; success sets the password once and shows the done page. */
export async function chooseNewPasswordAction(_prev: PasswordState, formData: FormData): Promise<PasswordState> {
  return withFlow("password", async ({ db, flow, ctx }) => {
    const parsed = parseForm(passwordSchema, formData);
    if (!parsed.ok) return { status: "error", fieldErrors: parsed.fieldErrors };
    const result = await chooseNewPassword(db, flow, { password: parsed.data.password, confirmation: parsed.data.confirmation, ...ctx });
    if (result.kind === "moved") return go(result.to);
    const rules = result.rules ?? [];
    const fieldErrors: Partial<Record<PasswordField, string>> = {};
    const first = rules.find((r) => r !== "confirmation");
    if (first) fieldErrors.password = `errors.${first}`;
    if (rules.includes("confirmation")) fieldErrors.confirmation = "errors.confirmation";
    return { status: "error", fieldErrors, rules };
  });
}

// ---------------------------------------------------------------------------------------------------------------

/** "Annuleren" anywhere: the flow ends and the user is back at sign-in. */
export async function cancelRecoveryAction(): Promise<void> {
  const db = await getDb();
  const context = await getRequestContext();
  const cookie = await getFlowCookie();
  const flow = await loadFlow(db, cookie.token ?? null);
  if (flow && !isFinished(flow.step)) await cancelFlow(db, flow, { context });
  cookie.destroy();
  return go("/");
}
