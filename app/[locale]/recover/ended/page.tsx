// A flow that cannot go on (expired, cancelled, too many wrong numbers or codes): say why and offer a fresh start.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/navigation";
import { requireStep } from "@/lib/recovery/page-guard";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.ended"))("metaTitle") };
}

export default async function EndedPage() {
  const flow = await requireStep("ended");
  const t = await getTranslations("Recovery");
  const reason = flow.endedReason ?? "expired";
  return (
    <>
      <h1>{t("title")}</h1>
      <h2>{t("ended.heading")}</h2>
      <p role="status">{t(`ended.reasons.${reason}`)}</p>
      <div className="actions">
        <Link href="/recover" className="button primary">
          {t("ended.restart")}
        </Link>
        <Link href="/">{t("ended.signIn")}</Link>
      </div>
      <p className="links">
        <Link href="/recover/contact">{t("ended.contact")}</Link>
      </p>
    </>
  );
}
