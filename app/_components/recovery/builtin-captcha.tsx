"use client";
// The built-in CAPTCHA: a picture of the characters, a speaker button that plays them, a new-code button and the answer field.
// Works as a plain form without JavaScript; also the no-JavaScript fallback when hCaptcha is configured.
import { useRef } from "react";
import { useTranslations } from "next-intl";
import { Field } from "../field";

type Props = { token: string; locale: "nl" | "en"; error?: string };

export function BuiltinCaptcha({ token, locale, error }: Props) {
  const ti = useTranslations("Recovery.identify");
  const audio = useRef<HTMLAudioElement>(null);
  const imageUrl = `/api/captcha/image?t=${encodeURIComponent(token)}`;
  const audioUrl = `/api/captcha/audio?t=${encodeURIComponent(token)}&lang=${locale}`;
  return (
    <>
      <input type="hidden" name="captchaToken" value={token} />
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
          <button
            type="submit"
            name="op"
            value="refresh"
            formNoValidate
            className="icon-button"
            aria-label={ti("captchaRefresh")}
            title={ti("captchaRefresh")}
          >
            <svg
              aria-hidden="true"
              width="22"
              height="22"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
            >
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
        error={error}
        type="text"
        autoComplete="off"
        autoCapitalize="none"
        autoCorrect="off"
        spellCheck={false}
        required
        maxLength={20}
      />
    </>
  );
}
