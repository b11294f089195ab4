// Seed screen 5: enter the code that was sent; "Opnieuw proberen" and "Contact opnemen met uw beheerder". When no code
// could be sent (provider failing, or the spend breaker open) the page says so instead of "we have sent a code".
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/lib/db/client";
import { Link } from "@/lib/i18n/navigation";
import { changeMethodAction } from "@/lib/recovery/actions";
import { requireStep } from "@/lib/recovery/page-guard";
import { codePageInfo } from "@/lib/recovery/page-info";
import { CancelButton } from "../../../_components/recovery/cancel-button";
import { CodeForm } from "../../../_components/recovery/code-form";
import { Progress } from "../../../_components/recovery/progress";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.code"))("metaTitle") };
}

export default async function CodePage() {
  const flow = await requireStep("code");
  const info = await codePageInfo(await getDb(), flow);
  const t = await getTranslations("Recovery");
  const td = await getTranslations("Delivery");
  return (
    <>
      <h1>{t("title")}</h1>
      <Progress intent={flow.intent} verified={false} />
      {info.notice ? (
        <p className="notice problem lead" role="alert">
          {td(info.notice)}
        </p>
      ) : (
        <p className="lead">{info.channel === "voice" ? t("code.sentVoice") : t("code.sentSms")}</p>
      )}
      <p className="muted">{t("code.checkNumber", { masked: info.masked, minutes: info.codeTtlMinutes })}</p>
      <ClientMessages paths={clientMessages.codeForm}>
        <CodeForm
          cooldownSeconds={info.cooldownSeconds}
          watchSeconds={info.watchSeconds}
          cancel={<CancelButton />}
          otherMethod={
            <form action={changeMethodAction}>
              <button type="submit" className="link-button">
                {t("code.otherMethod")}
              </button>
            </form>
          }
        />
      </ClientMessages>
      <p className="links">
        <Link href="/recover/contact">{t("code.contact")}</Link>
      </p>
    </>
  );
}
