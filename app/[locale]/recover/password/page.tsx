// Seed screen 6: choose the new password (reset path only).
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { requireStep } from "@/lib/recovery/page-guard";
import { passwordPageInfo } from "@/lib/recovery/page-info";
import { CancelButton, CancelForm } from "../../../_components/recovery/cancel-button";
import { PasswordForm } from "../../../_components/recovery/password-form";
import { Progress } from "../../../_components/recovery/progress";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Recovery.password"))("metaTitle") };
}

/** The organisation's name and domain (public anyway); PASSWORD_BANNED_WORDS stays on the server. */
function publicOrgTerms(): string[] {
  const { orgName, orgDomain } = getConfig();
  return [orgName, orgDomain.split(".").slice(0, -1).join(" ")];
}

export default async function PasswordPage() {
  const flow = await requireStep("password");
  const db = await getDb();
  const info = await orUnavailable({ during: "password-page", flowId: flow.id, userId: flow.userId }, () => passwordPageInfo(db, flow));
  const t = await getTranslations("Recovery");
  return (
    <>
      <h1>{t("title")}</h1>
      <Progress intent="reset" verified />
      <ClientMessages paths={clientMessages.passwordForm}>
        <PasswordForm lastName={info.lastName} ownWords={info.ownWords} orgTerms={publicOrgTerms()} cancel={<CancelButton />} />
      </ClientMessages>
      <CancelForm />
    </>
  );
}
