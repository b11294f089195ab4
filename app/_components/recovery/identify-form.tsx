"use client";
// "Wie bent u?": user ID and the built-in CAPTCHA (image, speaker, new code), as a plain form that JavaScript enhances.
import { useActionState, useRef, type ReactNode } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { startRecoveryAction, type IdentifyState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";

type Props = { captchaToken: string; intent: "reset" | "unlock" | null; domain: string; locale: "nl" | "en"; cancel: ReactNode };

export function IdentifyForm({ captchaToken, intent, domain, locale, cancel }: Props) {
  const t = useTranslations("Recovery");
  const ti = useTranslations("Recovery.identify");
  const tc = useTranslations("Common");
  const format = useFormatter();
  const [state, action, pending] = useActionState<IdentifyState, FormData>(startRecoveryAction, { status: "idle" });
  const token = state.captchaToken ?? captchaToken;
  const err = state.status === "error" ? state : undefined;
  const params = { domain, time: err?.params?.time ? format.dateTime(new Date(String(err.params.time)), { dateStyle: "medium", timeStyle: "short" }) : "" };
  const msg = (key?: string) => (key ? ti(key as "errors.userIdRequired", params) : undefined);
  const userIdError = msg(err?.fieldErrors?.userId);
  const captchaError = msg(err?.fieldErrors?.captcha);
  const formError = msg(err?.formError);
  const audio = useRef<HTMLAudioElement>(null);
  const imageUrl = `/api/captcha/image?t=${encodeURIComponent(token)}`;
  const audioUrl = `/api/captcha/audio?t=${encodeURIComponent(token)}&lang=${locale}`;
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(userIdError ? [{ field: "userId", message: userIdError }] : []),
    ...(captchaError ? [{ field: "captcha", message: captchaError }] : []),
  ];
  const userIdValue = state.values?.userId ?? "";
  return (
    <form action={action} noValidate className="form" key={token}>
      {/* The first submit button is the one Enter uses: "Volgende", not the new-code button. */}
      <button type="submit" name="op" value="next" className="visually-hidden" tabIndex={-1} aria-hidden="true">
        {t("next")}
      </button>
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
      <input type="hidden" name="captchaToken" value={token} />
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
      <div className="captcha">
        {/* eslint-disable-next-line @next/next/no-img-element -- a per-request server-rendered PNG */}
        <img src={imageUrl} alt={ti("captchaImageAlt")} width={240} height={80} className="captcha-image" />
        <div className="captcha-buttons">
          <a
            href={audioUrl}
            className="icon-button"
            aria-label={ti("captchaAudio")}
            title={ti("captchaAudio")}
            onClick={(e) => {
              if (!audio.current) return;
              e.preventDefault();
              audio.current.currentTime = 0;
              void audio.current.play();
            }}
          >
            <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
              <path d="M4 9v6h4l5 4V5L8 9H4z" fill="currentColor" />
              <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" strokeLinecap="round" />
            </svg>
          </a>
          <button type="submit" name="op" value="refresh" formNoValidate className="icon-button" aria-label={ti("captchaRefresh")} title={ti("captchaRefresh")}>
            <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
              <path d="M20 11a8 8 0 0 0-14.6-4.5M4 4v4h4" />
              <path d="M4 13a8 8 0 0 0 14.6 4.5M20 20v-4h-4" />
            </svg>
          </button>
        </div>
        <audio ref={audio} src={audioUrl} preload="none" />
      </div>
      <Field
        id="captcha"
        label={ti("captcha")}
        hint={ti("captchaHint")}
        error={captchaError}
        type="text"
        autoComplete="off"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        maxLength={20}
      />
      <div className="actions">
        <button type="submit" name="op" value="next" className="button primary" disabled={pending}>
          {t("next")}
        </button>
        {cancel}
      </div>
    </form>
  );
}
