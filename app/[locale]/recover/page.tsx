// Seed screen 2, "Wie bent u?": user ID and CAPTCHA start the recovery wizard.
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { newChallenge } from "@/lib/captcha/builtin";
import { getConfig } from "@/lib/config";
import { Link } from "@/lib/i18n/server-link";
import { IdentifyForm, type CaptchaChoice } from "../../_components/recovery/identify-form";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.identify"))("metaTitle") };
}

export default async function IdentifyPage({ searchParams }: { searchParams: Promise<{ intent?: string }> }) {
  const t = await getTranslations("Recovery");
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
        helpdesk: { phone: config.helpdesk.phone, email: config.helpdesk.email },
      }
    : { provider: "builtin" };
  return (
    <>
      <h1>{t("title")}</h1>
      <h2>{t("identify.heading")}</h2>
      <p>{t(hcaptcha ? "identify.introHcaptcha" : "identify.intro")}</p>
      <ClientMessages paths={hcaptcha ? clientMessages.identifyFormHcaptcha : clientMessages.identifyForm}>
        <IdentifyForm
          captchaToken={await newChallenge()}
          captcha={captcha}
          intent={intent === "unlock" || intent === "reset" ? intent : null}
          domain={config.orgDomain}
          locale={locale}
          cancel={
            <Link href="/" className="button">
              {t("cancel")}
            </Link>
          }
        />
      </ClientMessages>
    </>
  );
}
