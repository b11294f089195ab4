// Seed screen 3: why the user cannot sign in (reset or unlock).
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireStep } from "@/lib/recovery/page-guard";
import { CancelButton, CancelForm } from "../../../_components/recovery/cancel-button";
import { ReasonForm } from "../../../_components/recovery/reason-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.reason"))("metaTitle") };
}

export default async function ReasonPage() {
  const flow = await requireStep("intent");
  const t = await getTranslations("Recovery");
  return (
    <>
      <h1>{t("title")}</h1>
      <ReasonForm preselected={flow.intent} cancel={<CancelButton />} />
      <CancelForm />
    </>
  );
}
