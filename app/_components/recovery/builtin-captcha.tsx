"use client";
// The built-in CAPTCHA: a picture of the characters, the browser's own audio player that speaks them (in the page, so
// listening never leaves the form or changes the challenge), a new-code button and the answer field.
// Works as a plain form without JavaScript; also the no-JavaScript fallback when hCaptcha is configured.
import { Field } from "../field";

/** Translated by the page (Recovery.identify in the catalogue). */
export type BuiltinCaptchaTexts = {
  captcha: string;
  captchaHint: string;
  captchaImageAlt: string;
  captchaAudio: string;
  captchaRefresh: string;
};

type Props = { token: string; locale: "nl" | "en"; error?: string; texts: BuiltinCaptchaTexts };

export function BuiltinCaptcha({ token, locale, error, texts }: Props) {
  const imageUrl = `/api/captcha/image?t=${encodeURIComponent(token)}`;
  const audioUrl = `/api/captcha/audio?t=${encodeURIComponent(token)}&lang=${locale}`;
  return (
    <>
      <input type="hidden" name="captchaToken" value={token} />
      <div className="captcha">
        {/* In a <picture>, so React adds no preload link for it to the page's head: the picture is near the top of the
            page anyway, and the link would repeat both of its addresses (issue #13: lean pages). */}
        <picture>
          <img
            src={imageUrl}
            srcSet={`${imageUrl} 1x, ${imageUrl}&x=2 2x`}
            alt={texts.captchaImageAlt}
            width={240}
            height={80}
            className="captcha-image"
          />
        </picture>
        <div className="captcha-buttons">
          <button
            type="submit"
            name="op"
            value="refresh"
            formNoValidate
            className="icon-button"
            aria-label={texts.captchaRefresh}
            title={texts.captchaRefresh}
          >
            <span className="icon-refresh" aria-hidden="true" />
          </button>
        </div>
      </div>
      {/* preload="none": the audio is fetched only when someone presses play. Every browser the portal supports has
          the player, so it holds no fallback link. */}
      <audio className="captcha-audio" controls preload="none" src={audioUrl} aria-label={texts.captchaAudio} title={texts.captchaAudio} />
      <Field
        id="captcha"
        label={texts.captcha}
        hint={texts.captchaHint}
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
