// Seed screen 4: how to reach the user (SMS or call) and the full mobile number, with only the last two digits shown.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireStep } from "@/lib/recovery/page-guard";
import { verifyPageInfo } from "@/lib/recovery/page-info";
import { lastTypedPhone } from "@/lib/recovery/session";
import { CancelButton, CancelForm } from "../../../_components/recovery/cancel-button";
import { Progress } from "../../../_components/recovery/progress";
import { VerifyForm } from "../../../_components/recovery/verify-form";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.verify"))("metaTitle") };
}

export default async function VerifyPage() {
  const flow = await requireStep("verify");
  const info = verifyPageInfo(flow);
  const t = await getTranslations("Recovery");
  return (
    <>
      <h1>{t("title")}</h1>
      <Progress intent={flow.intent} verified={false} />
      <ClientMessages paths={clientMessages.verifyForm}>
        <VerifyForm
          masked={info.masked}
          intent={info.intent}
          channel={info.channel}
          typedPhone={await lastTypedPhone()}
          cancel={<CancelButton />}
        />
      </ClientMessages>
      <CancelForm />
    </>
  );
}
