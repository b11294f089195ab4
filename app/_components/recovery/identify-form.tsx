"use client";
// "Wie bent u?": user ID and the CAPTCHA, as a plain form that JavaScript enhances. The CAPTCHA is the built-in one, or
// the hCaptcha widget with the built-in one inside <noscript> as the fallback for browsers without JavaScript.
import { usePathname } from "next/navigation";
import { useActionState } from "react";
import { localHref } from "@/lib/i18n/local-href";
import { startRecoveryAction, type IdentifyState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";
import { BuiltinCaptcha, type BuiltinCaptchaTexts } from "./builtin-captcha";
import dynamic from "next/dynamic";
import type { HcaptchaSettings, HcaptchaTexts } from "./hcaptcha-widget";

// The hCaptcha library (about 7 KB gzipped) is sent only to pages that show the widget, not with the built-in CAPTCHA.
const HcaptchaWidget = dynamic(() => import("./hcaptcha-widget").then((m) => m.HcaptchaWidget));

/**
 * Which CAPTCHA the page shows; never holds the hCaptcha secret. With hCaptcha: the widget's texts, and the notice inside
 * <noscript> when there is no built-in fallback.
 */
export type CaptchaChoice =
  | { provider: "builtin" }
  | (HcaptchaSettings & { provider: "hcaptcha"; noJsFallback: "builtin" | "off"; texts: HcaptchaTexts & { noJavaScript: string } });

/**
 * The form's texts, translated and filled in by the page (recover/page.tsx): the page sends these strings, which the
 * browser's copy of the HTML already holds, instead of a next-intl provider with catalogue keys (issue #13: lean pages).
 * Its error messages come translated with the action's state (lib/recovery/actions.ts).
 */
export type IdentifyFormTexts = BuiltinCaptchaTexts & {
  next: string;
  cancel: string;
  errorSummaryTitle: string;
  userId: string;
  /** With the organisation's domain filled in. */
  userIdHint: string;
};

type Props = {
  captchaToken: string;
  captcha: CaptchaChoice;
  intent: "reset" | "unlock" | null;
  locale: "nl" | "en";
  texts: IdentifyFormTexts;
};

export function IdentifyForm({ captchaToken, captcha, intent, locale, texts }: Props) {
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  // The help link's ?intent= is kept, so a form shown again after an error still knows the reason chosen there.
  const pathname = usePathname();
  const permalink = intent ? `${pathname}?intent=${intent}` : pathname;
  // No initial state (null): it is written into the page twice, as the no-JavaScript form's field and in the payload.
  const [state, action, pending] = useActionState<IdentifyState | null, FormData>(startRecoveryAction, null, permalink);
  const token = state?.captchaToken ?? captchaToken;
  // The messages come translated with the state (lib/recovery/actions.ts): the page carries none of the error texts.
  const { userId: userIdError, captcha: captchaError, captchaWidget: hcaptchaError, form: formError } = state?.texts ?? {};
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(userIdError ? [{ field: "userId", message: userIdError }] : []),
    ...(captchaError ? [{ field: "captcha", message: captchaError }] : []),
    ...(hcaptchaError ? [{ field: "captchaWidget", message: hcaptchaError }] : []),
  ];
  const userIdValue = state?.values?.userId ?? "";
  return (
    // A new key after every answer: a fresh built-in challenge, and a fresh hCaptcha widget (tokens are single-use).
    <form action={action} noValidate className="form" key={token}>
      {/* The first submit button is the one Enter uses: "Volgende", not the new-code button. */}
      <button type="submit" name="op" value="next" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        {texts.next}
      </button>
      <ErrorSummary title={texts.errorSummaryTitle} items={items} />
      <input type="hidden" name="intent" value={intent ?? ""} />
      <Field
        id="userId"
        label={texts.userId}
        hint={texts.userIdHint}
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
        <BuiltinCaptcha token={token} locale={locale} error={captchaError} texts={texts} />
      ) : (
        <>
          <HcaptchaWidget
            siteKey={captcha.siteKey}
            scriptUrl={captcha.scriptUrl}
            locale={locale}
            error={hcaptchaError}
            texts={captcha.texts}
          />
          {/* Only a browser without JavaScript parses this into fields (and posts them); with JavaScript it is inert text. */}
          <noscript>
            <input type="hidden" name="noscript" value="1" />
            {captcha.noJsFallback === "builtin" ? (
              <BuiltinCaptcha token={token} locale={locale} error={captchaError} texts={texts} />
            ) : (
              <p className="callout">{captcha.texts.noJavaScript}</p>
            )}
          </noscript>
        </>
      )}
      <div className="actions">
        <button type="submit" name="op" value="next" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {texts.next}
        </button>
        <a className="button" href={localHref(locale, "/")}>
          {texts.cancel}
        </a>
      </div>
    </form>
  );
}
