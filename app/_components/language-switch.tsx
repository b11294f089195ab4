"use client";
// Link to the same page in the other language; a plain link, so it works without JavaScript (and the proxy sets the
// language cookie when the page in the other language is requested). A client component only for the current path
// (the layout is not rendered again on client navigations); its texts come translated from the layout, so the layout
// needs no next-intl provider (issue #13: lean pages).
import { usePathname } from "next/navigation";
import type { AppLocale } from "@/lib/i18n/routing";
import { otherLanguageHref } from "@/lib/i18n/local-href";

/** The texts in the current language: the nav's name, and the link's text and label (both in the other language). */
export type LanguageSwitchTexts = { language: string; switchLanguage: string; switchLanguageLabel: string };

export function LanguageSwitch({ other, texts }: { other: AppLocale; texts: LanguageSwitchTexts }) {
  return (
    <nav aria-label={texts.language}>
      <a
        className="lang-switch"
        href={otherLanguageHref(usePathname(), other)}
        hrefLang={other}
        lang={other}
        aria-label={texts.switchLanguageLabel}
      >
        {texts.switchLanguage}
      </a>
    </nav>
  );
}
