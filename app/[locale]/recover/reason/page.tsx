// Seed screen 3: why the user cannot sign in (reset or unlock).
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireStep } from "@/lib/recovery/page-guard";
import { CancelButton, CancelForm } from "../../../_components/recovery/cancel-button";
import { ReasonForm } from "../../../_components/recovery/reason-form";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.reason"))("metaTitle") };
}

export default async function ReasonPage() {
  const flow = await requireStep("intent");
  const t = await getTranslations("Recovery");
  return (
    <>
      <h1>{t("title")}</h1>
      <ClientMessages paths={clientMessages.reasonForm}>
        <ReasonForm preselected={flow.intent} cancel={<CancelButton />} />
      </ClientMessages>
      <CancelForm />
    </>
  );
}
