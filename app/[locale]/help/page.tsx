// Seed screen 1: instructions and the two ways into the recovery wizard.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/server-link";
import { getPortalInfo } from "@/lib/portal-info";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("HelpPage"))("metaTitle") };
}

export default async function HelpPage() {
  const t = await getTranslations("HelpPage");
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      <p>{t("needs", { domain: getPortalInfo().orgDomain })}</p>
      <p className="choose">
        {t.rich("choose", {
          unlock: (chunks) => <Link href={{ pathname: "/recover", query: { intent: "unlock" } }}>{chunks}</Link>,
          reset: (chunks) => <Link href={{ pathname: "/recover", query: { intent: "reset" } }}>{chunks}</Link>,
        })}
      </p>
      <ul className="hints">
        <li>{t("unlockHint")}</li>
        <li>{t("resetHint")}</li>
      </ul>
      <p className="links">
        <Link href="/">{t("back")}</Link>
      </p>
    </>
  );
}
