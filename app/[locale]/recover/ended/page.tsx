// A flow that cannot go on (expired, cancelled, too many wrong numbers or codes): say why and offer a fresh start.
// Also where a form sent to an already completed flow lands (Back after "Voltooien", an old tab): the flow has ended,
// and what that form brought was not used — never the done page again, which would claim a success that did not happen.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/server-link";
import { enterStep } from "@/lib/recovery/page-guard";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.ended"))("metaTitle") };
}

export default async function EndedPage() {
  const { flow } = await enterStep(["ended", "done"]);
  const t = await getTranslations("Recovery");
  const reason = flow.endedReason ?? "expired";
  return (
    <>
      <h1>{t("title")}</h1>
      <h2>{t("ended.heading")}</h2>
      {flow.step === "done" ? (
        <div role="status" className="notice problem">
          <p>{flow.intent === "unlock" ? t("ended.finished.unlock") : t("ended.finished.reset")}</p>
          <p>{flow.intent === "unlock" ? t("ended.finished.unlockNext") : t("ended.finished.resetNext")}</p>
        </div>
      ) : (
        <p role="status">{t(`ended.reasons.${reason}`)}</p>
      )}
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
