// Localised root layout: <html lang>, the portal's header with the language switch, and the card that holds each page.
import type { Metadata, Viewport } from "next";
import { notFound } from "next/navigation";
import { hasLocale } from "next-intl";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { getPortalInfo, testBannerShown } from "@/lib/portal-info";
import { routing } from "@/lib/i18n/routing";
import { LanguageSwitch } from "../_components/language-switch";
import "../globals.css";

export function generateViewport(): Viewport {
  // The browser's own toolbar colour unless the branding sets one (ORG colour): the default needs no tag on every page.
  const accent = getPortalInfo().branding.color?.accent;
  return { width: "device-width", initialScale: 1, ...(accent ? { themeColor: accent } : {}) };
}

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("Common");
  const { orgName } = getPortalInfo();
  return { title: { template: `%s · ${orgName} ${t("appName")}`, default: `${orgName} ${t("appName")}` }, robots: "noindex" };
}

export default async function LocaleLayout({ children, params }: { children: ReactNode; params: Promise<{ locale: string }> }) {
  const { locale } = await params;
  if (!hasLocale(routing.locales, locale)) notFound();
  const t = await getTranslations({ locale, namespace: "Common" });
  const { orgName, branding } = getPortalInfo();
  const testBanner = await testBannerShown();
  // No next-intl provider here: the language switch gets its texts translated, and each page's forms get theirs through
  // <ClientMessages> or as props (issue #13: a provider costs every page its props and its catalogue part).
  return (
    <html lang={locale}>
      <body>
        {branding.colorSheet ? <link rel="stylesheet" href={branding.colorSheet} precedence="default" /> : null}
        <a className="skip-link" href="#main">
          {t("skipToContent")}
        </a>
        {testBanner ? (
          <div className="test-banner" role="note">
            {t("testModeBanner")}
          </div>
        ) : null}
        <div className="page">
          <header className="topbar">
            <span className="brand">
              {branding.logo ? (
                // The name beside it says who this is: the logo itself is decoration (alt="").
                // eslint-disable-next-line @next/next/no-img-element -- a file from ORG_LOGO, served as is (SVG or PNG)
                <img className="brand-logo" src={branding.logo.src} alt="" width={branding.logo.width} height={branding.logo.height} />
              ) : (
                <span className="brand-mark" aria-hidden="true">
                  {orgName.slice(0, 1)}
                </span>
              )}
              <span className="brand-name">{orgName}</span>
            </span>
            <LanguageSwitch
              other={locale === "nl" ? "en" : "nl"}
              texts={{ language: t("language"), switchLanguage: t("switchLanguage"), switchLanguageLabel: t("switchLanguageLabel") }}
            />
          </header>
          <main id="main" className="card" tabIndex={-1}>
            {children}
          </main>
          <footer className="footer">{t("footer", { org: orgName })}</footer>
        </div>
      </body>
    </html>
  );
}
