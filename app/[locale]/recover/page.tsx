// Seed screen 2, "Wie bent u?": user ID and CAPTCHA start the recovery wizard.
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { newChallenge } from "@/lib/captcha/builtin";
import { getConfig } from "@/lib/config";
import { IdentifyForm, type CaptchaChoice, type IdentifyFormTexts } from "../../_components/recovery/identify-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.identify"))("metaTitle") };
}

export default async function IdentifyPage({ searchParams }: { searchParams: Promise<{ intent?: string }> }) {
  const t = await getTranslations("Recovery");
  const ti = await getTranslations("Recovery.identify");
  const { intent } = await searchParams;
  const locale = (await getLocale()) === "en" ? "en" : "nl";
  const config = getConfig();
  const hcaptcha = config.hcaptcha;
  // Only what the browser needs: the site key and script URL, never the secret.
  const captcha: CaptchaChoice = hcaptcha
    ? {
        provider: "hcaptcha",
        siteKey: hcaptcha.siteKey,
        scriptUrl: hcaptcha.scriptUrl,
        noJsFallback: hcaptcha.noJsFallback,
        texts: {
          hcaptchaLabel: ti("hcaptchaLabel"),
          hcaptchaLoadFailed: ti("hcaptchaLoadFailed"),
          noJavaScript: ti("noJavaScript", { phone: config.helpdesk.phone, email: config.helpdesk.email }),
        },
      }
    : { provider: "builtin" };
  // Translated here: the form gets its strings as props, not a next-intl provider with catalogue keys (issue #13).
  const texts: IdentifyFormTexts = {
    next: t("next"),
    cancel: t("cancel"),
    errorSummaryTitle: (await getTranslations("Common"))("errorSummaryTitle"),
    userId: ti("userId"),
    userIdHint: ti("userIdHint", { domain: config.orgDomain }),
    captcha: ti("captcha"),
    captchaHint: ti("captchaHint"),
    captchaImageAlt: ti("captchaImageAlt"),
    captchaAudio: ti("captchaAudio"),
    captchaRefresh: ti("captchaRefresh"),
  };
  return (
    <>
      <h1>{t("title")}</h1>
      <h2>{t("identify.heading")}</h2>
      <p>{t(hcaptcha ? "identify.introHcaptcha" : "identify.intro")}</p>
      <IdentifyForm
        captchaToken={await newChallenge()}
        captcha={captcha}
        intent={intent === "unlock" || intent === "reset" ? intent : null}
        locale={locale}
        texts={texts}
      />
    </>
  );
}
