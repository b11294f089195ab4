// Localised "page not found" (synchronous, so it is rendered into the server HTML).
import { useTranslations } from "next-intl";
import { Link } from "@/lib/i18n/navigation";

export default function NotFound() {
  const t = useTranslations("NotFoundPage");
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("body")}</p>
      <p className="links">
        <Link href="/">{t("home")}</Link>
      </p>
    </>
  );
}
