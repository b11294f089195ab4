// Localised "page not found".
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/navigation";

export default async function NotFound() {
  const t = await getTranslations("NotFoundPage");
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
