"use server";
// Server actions of the recovery wizard: each validates its form, enters its step through the one step guard, calls one
// step function and redirects to where the flow is (or returns the state its form shows).
import { after } from "next/server";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { countedSchedule } from "@/lib/background";
import { newChallenge } from "@/lib/captcha/builtin";
import { checkCaptcha } from "@/lib/captcha/check";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { asForm, formKeys, parseForm, type Idle, type Invalid, type Refused } from "@/lib/forms/form-state";
import type { MessageKey } from "@/lib/i18n/message-keys";
import { redirect } from "@/lib/i18n/navigation";
import type { PasswordRule } from "@/lib/password/policy";
import { getRequestContext, requestFromThisMachine, type RequestContext } from "@/lib/security/request-context";
import { codeInputSchema } from "@/lib/verification/code-input";
import { secondsUntil } from "@/lib/verification/policy";
import { isFinished, type Step } from "./flow";
import { loadFlow, type Flow, type StepCtx } from "./flow-store";
import { enterStep, goTo } from "./page-guard";
import { getFlowCookie } from "./session";
import { forSubmission } from "./step-paths";
import {
  cancelFlow,
  changeMethod,
  chooseIntent,
  chooseNewPassword,
  noteCaptchaAttempt,
  resendCode,
  startRecovery,
  submitNumber,
  verifyCode,
} from "./steps";

/** What a step needs besides its input: who is asking, and delivery after the response (Next's after(), counted). */
function ctxOf(context: RequestContext): StepCtx {
  return { context, schedule: countedSchedule(context.requestId, after) };
}

/** The flow of this browser on the given step (else redirected), with what a step function needs besides its input. */
async function withFlow<R>(step: Step | readonly Step[], fn: (f: { db: Db; flow: Flow; ctx: StepCtx }) => Promise<R>): Promise<R> {
  const { db, flow, context } = await enterStep(step, { submission: true });
  // A directory that cannot be reached: audited with the flow, the 503 page; the flow stays on its step.
  return orUnavailable({ during: flow.step, flowId: flow.id, userId: flow.userId }, () => fn({ db, flow, ctx: ctxOf(context) }));
}

// ---------------------------------------------------------------------------------------------------------------

export type IdentifyKey = MessageKey<"Recovery.identify">;
export type IdentifyField = "userId" | "captcha" | "captchaWidget";
/**
 * The words of a state's messages, by field ("form" for a refusal of the whole form), translated on the server: the
 * page then sends the browser none of the form's thirteen error texts, only the one it shows.
 */
export type IdentifyTexts = Partial<Record<IdentifyField | "form", string>>;
type IdentifyExtras = { captchaToken: string; values: { userId: string } };
type IdentifyOutcome =
  | (Idle & Partial<IdentifyExtras>)
  | (Invalid<IdentifyField, IdentifyKey> & IdentifyExtras)
  | (Refused<IdentifyKey, { time: string }> & IdentifyExtras);
export type IdentifyState = IdentifyOutcome & { texts?: IdentifyTexts };

// The CAPTCHA check's answers (lib/captcha/check.ts) are keys of this form too.
const identifyKeys = formKeys<IdentifyKey>("errors.userIdInvalid", [
  "errors.captchaRequired",
  "errors.captchaWrong",
  "errors.captchaExpired",
  "errors.hcaptchaRequired",
  "errors.hcaptchaFailed",
  "errors.captchaUnavailable",
  "errors.javascriptRequired",
]);

const identifySchema = z.object({
  userId: z
    .string()
    .trim()
    .min(1, identifyKeys.key("errors.userIdRequired"))
    .max(254, identifyKeys.key("errors.userIdInvalid"))
    .pipe(z.email(identifyKeys.key("errors.userIdInvalid"))),
  captcha: z.string().trim().min(1, identifyKeys.key("errors.captchaRequired")).max(20, identifyKeys.key("errors.captchaWrong")),
  captchaToken: z.string().max(2000).default(""),
  intent: z.enum(["reset", "unlock", ""]).default(""),
  op: z.enum(["next", "refresh"]).default("next"),
});

/** With hCaptcha the built-in answer is optional (only the no-JavaScript fallback has it); checkCaptcha decides. */
const identifyHcaptchaSchema = identifySchema.extend({
  captcha: z.string().trim().max(20, identifyKeys.key("errors.captchaWrong")).default(""),
  "h-captcha-response": z.string().max(10_000, identifyKeys.key("errors.hcaptchaFailed")).default(""),
  noscript: z.string().default(""),
});

/** "Wie bent u?": checks the CAPTCHA, then starts a flow for the typed user ID (known or not) and moves on. */
export async function startRecoveryAction(_prev: IdentifyState | null, formData: FormData): Promise<IdentifyState> {
  const state = await identify(asForm(formData));
  return state.status === "idle" ? state : { ...state, texts: await identifyTexts(state) };
}

/** The state's messages in the request's language; a time (the end of a limit) as the pages write times. */
async function identifyTexts(state: Exclude<IdentifyOutcome, Idle>): Promise<IdentifyTexts> {
  const t = await getTranslations("Recovery.identify");
  const time = state.status === "refused" && state.params?.time ? new Date(state.params.time) : null;
  const values = {
    domain: getConfig().orgDomain,
    time: time ? (await getFormatter()).dateTime(time, { dateStyle: "medium", timeStyle: "short" }) : "",
  };
  if (state.status === "refused") return { form: t(state.formError, values) };
  const texts: IdentifyTexts = {};
  for (const field of ["userId", "captcha", "captchaWidget"] as const) {
    const key = state.fieldErrors[field];
    if (key) texts[field] = t(key, values);
  }
  return texts;
}

async function identify(formData: FormData): Promise<IdentifyOutcome> {
  const values = { userId: String(formData.get("userId") ?? "").slice(0, 254) };
  const fresh = async () => ({ values, captchaToken: await newChallenge() });
  if (formData.get("op") === "refresh") return { status: "idle", ...(await fresh()) };
  const parsed = getConfig().hcaptcha
    ? parseForm(identifyHcaptchaSchema, formData, identifyKeys)
    : parseForm(identifySchema, formData, identifyKeys);
  if (!parsed.ok) {
    const e = parsed.fieldErrors;
    const fieldErrors = { userId: e.userId, captcha: e.captcha, captchaWidget: e["h-captcha-response"] };
    return { status: "invalid", fieldErrors, ...(await fresh()) };
  }
  const db = await getDb();
  const context = await getRequestContext();
  const form: z.infer<typeof identifySchema> & Partial<z.infer<typeof identifyHcaptchaSchema>> = parsed.data;
  const captcha = await checkCaptcha(
    db,
    {
      challenge: form.captchaToken,
      answer: form.captcha,
      hcaptchaToken: form["h-captcha-response"] ?? "",
      noscript: form.noscript === "1",
    },
    { typedId: form.userId, context, fromThisMachine: await requestFromThisMachine() },
  );
  const captchaKey = captcha.kind === "ok" ? null : identifyKeys.is(captcha.error) ? captcha.error : identifyKeys.fallback;
  if (captcha.kind === "missing") {
    if (!captcha.field) return { status: "refused", formError: captchaKey ?? identifyKeys.fallback, ...(await fresh()) };
    return { status: "invalid", fieldErrors: { [captcha.field]: captchaKey ?? identifyKeys.fallback }, ...(await fresh()) };
  }
  // hCaptcha being down is not the user's failure (captcha.unavailable is audited instead), but still counts per IP.
  const limited = await noteCaptchaAttempt(db, { ok: captcha.kind !== "wrong", typedId: form.userId, ...ctxOf(context) });
  if (limited.limited) {
    return { status: "refused", formError: "errors.rateLimited", params: { time: limited.retryAt.toISOString() }, ...(await fresh()) };
  }
  if (captcha.kind !== "ok") {
    return { status: "invalid", fieldErrors: { [captcha.field]: captchaKey ?? identifyKeys.fallback }, ...(await fresh()) };
  }
  const started = await orUnavailable({ during: "identify" }, () =>
    startRecovery(db, { typedId: form.userId, intent: form.intent === "" ? null : form.intent, ...ctxOf(context) }),
  );
  if (started.kind !== "started") {
    const formError = started.kind === "blocked" ? "errors.blocked" : "errors.rateLimited";
    return { status: "refused", formError, params: { time: started.retryAt.toISOString() }, ...(await fresh()) };
  }
  const cookie = await getFlowCookie();
  cookie.token = started.token;
  // A new flow starts with an empty number field, whoever used this browser before.
  delete cookie.phone;
  await cookie.save();
  return goTo({ kind: "moved", step: "intent" });
}

// ---------------------------------------------------------------------------------------------------------------

export type ReasonKey = MessageKey<"Recovery.reason">;
export type ReasonState = Idle | Invalid<"intent", ReasonKey>;
const reasonKeys = formKeys<ReasonKey>("errors.intentRequired");
const intentSchema = z.object({ intent: z.enum(["reset", "unlock"], { message: reasonKeys.key("errors.intentRequired") }) });

/** "Waarom hebt u problemen bij het aanmelden?": reset or unlock. */
export async function chooseIntentAction(_prev: ReasonState, formData: FormData): Promise<ReasonState> {
  formData = asForm(formData);
  return withFlow("intent", async ({ db, flow, ctx }) => {
    const parsed = parseForm(intentSchema, formData, reasonKeys);
    if (!parsed.ok) return { status: "invalid", fieldErrors: { intent: parsed.fieldErrors.intent } };
    return goTo(forSubmission(await chooseIntent(db, flow, parsed.data.intent, ctx)));
  });
}

// ---------------------------------------------------------------------------------------------------------------

export type VerifyKey = MessageKey<"Recovery.verify">;
export type VerifyField = "channel" | "phone";
export type VerifyState = Idle | Invalid<VerifyField, VerifyKey> | Refused<VerifyKey, { seconds: number }, VerifyField>;
const verifyKeys = formKeys<VerifyKey>("errors.phoneRequired");
const verifySchema = z.object({
  channel: z.enum(["sms", "voice"], { message: verifyKeys.key("errors.channelRequired") }),
  phone: z.string().trim().min(1, verifyKeys.key("errors.phoneRequired")).max(40, verifyKeys.key("errors.invalid-number")),
});

/** Method and full mobile number: a match sends a code to the registered number, never to the typed one. */
export async function submitNumberAction(_prev: VerifyState, formData: FormData): Promise<VerifyState> {
  formData = asForm(formData);
  return withFlow("verify", async ({ db, flow, ctx }) => {
    const parsed = parseForm(verifySchema, formData, verifyKeys);
    // The typed number is the user's own, shown back so a refused or mistyped number can be corrected, not retyped.
    const values = {
      channel: formData.get("channel") === "voice" ? "voice" : "sms",
      phone: String(formData.get("phone") ?? "").slice(0, 40),
    };
    if (!parsed.ok)
      return { status: "invalid", fieldErrors: { channel: parsed.fieldErrors.channel, phone: parsed.fieldErrors.phone }, values };
    // The number typed last stays in the sealed cookie: the verify page shows it again after "another number or method",
    // and a different one is a correction the cooldown does not hold up.
    const cookie = await getFlowCookie();
    const previous = cookie.phone ?? null;
    cookie.phone = parsed.data.phone;
    await cookie.save();
    const result = await submitNumber(db, flow, { channel: parsed.data.channel, typed: parsed.data.phone, previous, ...ctx });
    switch (result.kind) {
      case "invalid-number":
        return { status: "invalid", fieldErrors: { phone: "errors.invalid-number" }, values };
      case "cooldown":
        return { status: "refused", formError: "errors.cooldown", params: { seconds: secondsUntil(result.retryAt, new Date()) }, values };
      case "send-limit":
        return { status: "refused", formError: "errors.send-limit", params: { seconds: 0 }, values };
      default:
        return goTo(forSubmission(result));
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------

type CodeKey = MessageKey<"Recovery.code">;
export type CodeState = Idle | (Invalid<"code", CodeKey> & { attemptsLeft?: number });
export type ResendState = Idle | { status: "resent" } | Refused<CodeKey, { seconds: number }>;
const codeKeys = formKeys<CodeKey>("errors.codeFormat");
const codeSchema = z.object({
  code: codeInputSchema({ required: codeKeys.key("errors.codeRequired"), format: codeKeys.key("errors.codeFormat") }),
});

/** The code step: "Volgende" checks the code; "Opnieuw proberen" and "another method" are separate actions below. */
export async function verifyCodeAction(_prev: CodeState, formData: FormData): Promise<CodeState> {
  formData = asForm(formData);
  return withFlow("code", async ({ db, flow, ctx }) => {
    const parsed = parseForm(codeSchema, formData, codeKeys);
    if (!parsed.ok) return { status: "invalid", fieldErrors: { code: parsed.fieldErrors.code } };
    const result = await verifyCode(db, flow, parsed.data.code, ctx);
    if (result.kind === "wrong-code" || result.kind === "expired-code") {
      return { status: "invalid", fieldErrors: { code: `errors.${result.kind}` }, attemptsLeft: result.attemptsLeft };
    }
    return goTo(result);
  });
}

/** "Opnieuw proberen": a new code after the cooldown. */
export async function resendCodeAction(_prev: ResendState, _formData: FormData): Promise<ResendState> {
  return withFlow("code", async ({ db, flow, ctx }) => {
    const result = await resendCode(db, flow, ctx);
    switch (result.kind) {
      case "cooldown":
        return { status: "refused", formError: "errors.cooldown", params: { seconds: secondsUntil(result.retryAt, new Date()) } };
      case "send-limit":
        return { status: "refused", formError: "errors.send-limit", params: { seconds: 0 } };
      default:
        // Still on the code step: a new code went out (or, for a number that did not match, nothing — the page says so).
        return result.kind === "moved" && result.step === "code" ? { status: "resent" } : goTo(forSubmission(result));
    }
  });
}

/** Back to the method and number step (a form of its own: app/_components/post-form.tsx). */
export async function changeMethodAction(_prev: null, _form: FormData): Promise<null> {
  return withFlow("code", async ({ db, flow, ctx }) => goTo(forSubmission(await changeMethod(db, flow, ctx))));
}

// ---------------------------------------------------------------------------------------------------------------

type PasswordKey = MessageKey<"Recovery.password">;
export type PasswordField = "password" | "confirmation";
/**
 * `password`: the new password sent back, only when it met every rule and just the confirmation differed, so the page
 * (also without JavaScript) keeps it and only the confirmation is typed again. A password that broke a rule is never
 * sent back: it has to change anyway.
 */
export type PasswordState =
  | Idle
  | Invalid<PasswordField, PasswordKey>
  | { status: "rules"; rules: PasswordRule[]; previousPasswordReplaced?: true; values?: { password: string } };
const passwordKeys = formKeys<PasswordKey>("errors.passwordRequired");
const passwordSchema = z.object({
  password: z.string().min(1, passwordKeys.key("errors.passwordRequired")).max(1024, passwordKeys.key("errors.maxLength")),
  confirmation: z.string().max(1024, passwordKeys.key("errors.maxLength")).default(""),
});

/** "Voltooien": every broken rule is named; success sets the password once and shows the done page. */
export async function chooseNewPasswordAction(_prev: PasswordState, formData: FormData): Promise<PasswordState> {
  formData = asForm(formData);
  return withFlow("password", async ({ db, flow, ctx }) => {
    const parsed = parseForm(passwordSchema, formData, passwordKeys);
    if (!parsed.ok) {
      return { status: "invalid", fieldErrors: { password: parsed.fieldErrors.password, confirmation: parsed.fieldErrors.confirmation } };
    }
    const result = await chooseNewPassword(db, flow, { password: parsed.data.password, confirmation: parsed.data.confirmation, ...ctx });
    if (result.kind === "rules") {
      const onlyConfirmation = result.rules.length === 1 && result.rules[0] === "confirmation";
      return {
        status: "rules",
        rules: result.rules,
        ...(result.previousPasswordReplaced ? { previousPasswordReplaced: true as const } : {}),
        ...(onlyConfirmation ? { values: { password: parsed.data.password } } : {}),
      };
    }
    return goTo(result);
  });
}

// ---------------------------------------------------------------------------------------------------------------

/** "Annuleren" anywhere: the flow ends and the user is back at sign-in. */
export async function cancelRecoveryAction(_prev: null, _form: FormData): Promise<null> {
  const db = await getDb();
  const context = await getRequestContext();
  const cookie = await getFlowCookie();
  const flow = await loadFlow(db, cookie.token ?? null);
  if (flow && !isFinished(flow.step)) await cancelFlow(db, flow, ctxOf(context));
  cookie.destroy();
  return redirect({ href: "/", locale: await getLocale() });
}
