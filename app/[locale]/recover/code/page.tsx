// Seed screen 5: enter the code; "Opnieuw proberen" and "Contact opnemen met uw beheerder". The page is the same for a
// matching number, a wrong one and a user without a mobile (no enumeration), so it claims no send: "if this number
// belongs to your account, a code arrives within a minute", with what to do if none comes shown at once. When no code
// could be sent (provider failing, or the spend breaker open) it says so instead.
import type { Metadata } from "next";
import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/lib/db/client";
import { Link } from "@/lib/i18n/server-link";
import { changeMethodAction } from "@/lib/recovery/actions";
import { requireStep } from "@/lib/recovery/page-guard";
import { codePageInfo } from "@/lib/recovery/page-info";
import { CancelButton, CancelForm } from "../../../_components/recovery/cancel-button";
import { PostForm } from "../../../_components/post-form";
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
      {info.cooldownSeconds > 0 ? (
        // How long "Opnieuw proberen" looks waiting without JavaScript (app/globals.css, .resend-waiting).
        // First in <main>: a <style> in the body must be its parent's first child (Nu HTML checker).
        <style nonce={(await headers()).get("x-nonce") ?? undefined}>
          {`.secondary-actions .resend-waiting, .secondary-actions .resend-waiting-hint { animation-duration: ${info.cooldownSeconds}s; }`}
        </style>
      ) : null}
      <h1>{t("title")}</h1>
      <Progress intent={flow.intent} verified={false} />
      {info.notice ? (
        <p className="notice problem lead" role="alert">
          {td(info.notice)}
        </p>
      ) : (
        <p className="lead">{info.channel === "voice" ? t("code.ifMatchedVoice") : t("code.ifMatchedSms")}</p>
      )}
      <p className="muted">{t("code.validFor", { minutes: info.codeTtlMinutes })}</p>
      <ClientMessages paths={clientMessages.codeForm}>
        <CodeForm
          cooldownSeconds={info.cooldownSeconds}
          watchSeconds={info.watchSeconds}
          cancel={<CancelButton />}
          otherMethod={
            <PostForm action={changeMethodAction}>
              <button type="submit" className="link-button">
                {t("code.otherMethod")}
              </button>
            </PostForm>
          }
        />
      </ClientMessages>
      <p className="links">
        <Link href="/recover/contact">{t("code.contact")}</Link>
      </p>
      <CancelForm />
    </>
  );
}
