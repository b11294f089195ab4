"use client";
// The hCaptcha widget (@hcaptcha/react-hcaptcha) in the page's language. Its script is inserted by this component's
// nonce-trusted bundle, which 'strict-dynamic' allows; the token lands in the widget's own h-captcha-response field
// inside the form, and the server verifies it.
import HCaptcha from "@hcaptcha/react-hcaptcha";
import { useState, useSyncExternalStore } from "react";

export type HcaptchaSettings = { siteKey: string; scriptUrl: string };

/** Translated by the page (Recovery.identify in the catalogue). */
export type HcaptchaTexts = { hcaptchaLabel: string; hcaptchaLoadFailed: string };

type Props = HcaptchaSettings & { locale: "nl" | "en"; error?: string; texts: HcaptchaTexts };

const noSubscription = () => () => {};

export function HcaptchaWidget({ siteKey, scriptUrl, locale, error, texts }: Props) {
  const [loadFailed, setLoadFailed] = useState(false);
  // Rendered only once JavaScript runs: without it the widget cannot work, and <noscript> shows the fallback instead.
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  if (!hydrated) return null;
  const describedBy =
    [loadFailed ? "captchaWidget-load-error" : null, error ? "captchaWidget-error" : null].filter(Boolean).join(" ") || undefined;
  return (
    // The error summary links here (#captchaWidget); the checkbox itself lives in the widget's frame. Never id="hcaptcha":
    // an element id becomes a global of that name, and the component would take it for the hCaptcha API.
    <div
      id="captchaWidget"
      className="field"
      role="group"
      aria-labelledby="captchaWidget-label"
      aria-describedby={describedBy}
      tabIndex={-1}
    >
      <div id="captchaWidget-label" className="legend">
        {texts.hcaptchaLabel}
      </div>
      <div className="hcaptcha-box">
        <HCaptcha
          sitekey={siteKey}
          scriptSource={scriptUrl}
          languageOverride={locale}
          sentry={false}
          reCaptchaCompat={false}
          onError={(code) => {
            if (code.startsWith("script-")) setLoadFailed(true);
          }}
        />
      </div>
      {loadFailed ? (
        <p id="captchaWidget-load-error" className="field-error" role="alert">
          {texts.hcaptchaLoadFailed}
        </p>
      ) : null}
      {error ? (
        <p id="captchaWidget-error" className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
