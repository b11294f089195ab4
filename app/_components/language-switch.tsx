"use client";
// Link to the same page in the other language; a plain link, so it works without JavaScript (and the proxy sets the
// language cookie when the page in the other language is requested).
import { usePathname } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { otherLanguageHref } from "@/lib/i18n/local-href";

export function LanguageSwitch() {
  const t = useTranslations("Common");
  const other = useLocale() === "nl" ? "en" : "nl";
  return (
    <nav aria-label={t("language")}>
      <a
        className="lang-switch"
        href={otherLanguageHref(usePathname(), other)}
        hrefLang={other}
        lang={other}
        aria-label={t("switchLanguageLabel")}
      >
        {t("switchLanguage")}
      </a>
    </nav>
  );
}
