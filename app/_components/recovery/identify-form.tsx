"use client";
// "Wie bent u?": user ID and the CAPTCHA, as a plain form that JavaScript enhances. The CAPTCHA is the built-in one, or
// the hCaptcha widget with the built-in one inside <noscript> as the fallback for browsers without JavaScript.
import { usePathname } from "next/navigation";
import { useActionState, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { startRecoveryAction, type IdentifyState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";
import { BuiltinCaptcha } from "./builtin-captcha";
import dynamic from "next/dynamic";
import type { HcaptchaSettings } from "./hcaptcha-widget";

// The hCaptcha library (about 7 KB gzipped) is sent only to pages that show the widget, not with the built-in CAPTCHA.
const HcaptchaWidget = dynamic(() => import("./hcaptcha-widget").then((m) => m.HcaptchaWidget));

/** Which CAPTCHA the page shows; never holds the hCaptcha secret. */
export type CaptchaChoice =
  | { provider: "builtin" }
  | (HcaptchaSettings & { provider: "hcaptcha"; noJsFallback: "builtin" | "off"; helpdesk: { phone: string; email: string } });

type Props = {
  captchaToken: string;
  captcha: CaptchaChoice;
  intent: "reset" | "unlock" | null;
  domain: string;
  locale: "nl" | "en";
  cancel: ReactNode;
};

export function IdentifyForm({ captchaToken, captcha, intent, domain, locale, cancel }: Props) {
  const t = useTranslations("Recovery");
  const ti = useTranslations("Recovery.identify");
  const tc = useTranslations("Common");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  // The help link's ?intent= is kept, so a form shown again after an error still knows the reason chosen there.
  const pathname = usePathname();
  const permalink = intent ? `${pathname}?intent=${intent}` : pathname;
  const [state, action, pending] = useActionState<IdentifyState, FormData>(startRecoveryAction, { status: "idle" }, permalink);
  const token = state.captchaToken ?? captchaToken;
  // The messages come translated with the state (lib/recovery/actions.ts): the page carries none of the error texts.
  const { userId: userIdError, captcha: captchaError, captchaWidget: hcaptchaError, form: formError } = state.texts ?? {};
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(userIdError ? [{ field: "userId", message: userIdError }] : []),
    ...(captchaError ? [{ field: "captcha", message: captchaError }] : []),
    ...(hcaptchaError ? [{ field: "captchaWidget", message: hcaptchaError }] : []),
  ];
  const userIdValue = state.values?.userId ?? "";
  return (
    // A new key after every answer: a fresh built-in challenge, and a fresh hCaptcha widget (tokens are single-use).
    <form action={action} noValidate className="form" key={token}>
      {/* The first submit button is the one Enter uses: "Volgende", not the new-code button. */}
      <button type="submit" name="op" value="next" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        {t("next")}
      </button>
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
      <input type="hidden" name="intent" value={intent ?? ""} />
      <Field
        id="userId"
        label={ti("userId")}
        hint={ti("userIdHint", { domain })}
        error={userIdError}
        type="email"
        autoComplete="username"
        inputMode="email"
        spellCheck={false}
        autoCapitalize="none"
        required
        maxLength={254}
        defaultValue={userIdValue}
      />
      {captcha.provider === "builtin" ? (
        <BuiltinCaptcha token={token} locale={locale} error={captchaError} />
      ) : (
        <>
          <HcaptchaWidget siteKey={captcha.siteKey} scriptUrl={captcha.scriptUrl} locale={locale} error={hcaptchaError} />
          {/* Only a browser without JavaScript parses this into fields (and posts them); with JavaScript it is inert text. */}
          <noscript>
            <input type="hidden" name="noscript" value="1" />
            {captcha.noJsFallback === "builtin" ? (
              <BuiltinCaptcha token={token} locale={locale} error={captchaError} />
            ) : (
              <p className="callout">{ti("noJavaScript", captcha.helpdesk)}</p>
            )}
          </noscript>
        </>
      )}
      <div className="actions">
        <button type="submit" name="op" value="next" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {t("next")}
        </button>
        {cancel}
      </div>
    </form>
  );
}
