// Placeholder for the recovery wizard until it lands: tells the user how to reach the service desk.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/navigation";
import { getPortalInfo } from "@/lib/portal-info";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("RecoverPage"))("metaTitle") };
}

export default async function RecoverPage() {
  const t = await getTranslations("RecoverPage");
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("placeholder", { phone: getPortalInfo().helpdesk.phone })}</p>
      <p className="links">
        <Link href="/">{t("back")}</Link>
      </p>
    </>
  );
}
