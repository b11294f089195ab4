// Localised "page not found" (synchronous, so it is rendered into the server HTML). Every page's payload carries it, so
// its link is a plain anchor to the locale's home, not next-intl's client Link with its cookie settings.
import { useLocale, useTranslations } from "next-intl";

export default function NotFound() {
  const t = useTranslations("NotFoundPage");
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("body")}</p>
      <p className="links">
        <a href={`/${useLocale()}`}>{t("home")}</a>
      </p>
    </>
  );
}
