// Seed screen 7: "✓ Uw wachtwoord is opnieuw ingesteld" (or, on the unlock path, "Uw account is ontgrendeld").
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/server-link";
import { requireStep } from "@/lib/recovery/page-guard";
import { Progress } from "../../../_components/recovery/progress";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.done"))("metaTitle") };
}

export default async function DonePage() {
  const flow = await requireStep("done");
  const t = await getTranslations("Recovery");
  const unlock = flow.intent === "unlock";
  return (
    <>
      <h1>{t("title")}</h1>
      <Progress intent={flow.intent} verified finished />
      <div className="success" role="status">
        <p className="success-title">
          <span aria-hidden="true">✓ </span>
          {unlock ? t("done.unlock") : t("done.reset")}
        </p>
        <p>{unlock ? t("done.unlockBody") : t("done.resetBody")}</p>
        <p>{t("done.notified")}</p>
      </div>
      <p className="links">
        <Link href="/" className="button primary">
          {t("done.signIn")}
        </Link>
      </p>
    </>
  );
}
