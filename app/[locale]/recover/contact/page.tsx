// "Contact opnemen met uw beheerder": the helpdesk's configured contact details.
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/server-link";
import { getPortalInfo } from "@/lib/portal-info";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.contact"))("metaTitle") };
}

export default async function ContactPage() {
  const t = await getTranslations("Recovery.contact");
  const { helpdesk } = getPortalInfo();
  return (
    <>
      <h1>{t("heading")}</h1>
      <p>{t("body")}</p>
      <dl className="contact">
        <dt>{t("phone")}</dt>
        <dd>
          <a href={`tel:${helpdesk.phone.replace(/[^+\d]/g, "")}`}>{helpdesk.phone}</a>
        </dd>
        <dt>{t("email")}</dt>
        <dd>
          <a href={`mailto:${helpdesk.email}`}>{helpdesk.email}</a>
        </dd>
        <dt>{t("hours")}</dt>
        <dd>{(await getLocale()) === "en" ? helpdesk.hours.en : helpdesk.hours.nl}</dd>
      </dl>
      <p className="links">
        <Link href="/recover/code">{t("back")}</Link>
      </p>
    </>
  );
}
