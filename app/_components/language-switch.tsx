"use client";
// Link to the same page in the other language; a plain link, so it works without JavaScript.
import { useLocale, useTranslations } from "next-intl";
import { Link, usePathname } from "@/lib/i18n/navigation";

export function LanguageSwitch() {
  const t = useTranslations("Common");
  const locale = useLocale();
  const pathname = usePathname();
  const other = locale === "nl" ? "en" : "nl";
  return (
    <nav aria-label={t("language")}>
      <Link className="lang-switch" href={pathname} locale={other} hrefLang={other} lang={other} aria-label={t("switchLanguageLabel")}>
        {t("switchLanguage")}
      </Link>
    </nav>
  );
}
