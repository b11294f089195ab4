// Seed screen 0: "Aanmelden".
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { getPortalInfo } from "@/lib/portal-info";
import { SignInForm } from "../_components/sign-in-form";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("SignInPage"))("metaTitle") };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const t = await getTranslations("SignInPage");
  const query = await searchParams;
  const notice = query.signedOut ? t("signedOut") : query.ended ? t("sessionEnded") : null;
  return (
    <>
      <h1>{t("title")}</h1>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <p className="lead">{t("intro", { domain: getPortalInfo().orgDomain })}</p>
      <ClientMessages paths={clientMessages.signInForm}>
        <SignInForm />
      </ClientMessages>
    </>
  );
}
