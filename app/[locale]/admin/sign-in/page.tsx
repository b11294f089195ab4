// Administrator sign-in, step 1 (no admin menu here): the administrator's own user name and password.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { adminSignInAction } from "@/lib/admin/actions";
import { safeAdminPath } from "@/lib/admin/rules";
import { SignInForm } from "../../../_components/sign-in-form";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Admin.signIn"))("metaTitle") };
}

type Query = { next?: string; signedOut?: string; expired?: string; ended?: string };

export default async function AdminSignInPage({ searchParams }: { searchParams: Promise<Query> }) {
  const t = await getTranslations("Admin.signIn");
  const query = await searchParams;
  const notice = query.signedOut ? t("signedOut") : query.expired ? t("expired") : query.ended ? t("ended") : null;
  return (
    <>
      <h1>{t("title")}</h1>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <p className="lead">{t("intro")}</p>
      <ClientMessages paths={clientMessages.adminSignInForm}>
        <SignInForm
          action={adminSignInAction}
          namespace="Admin.signIn"
          next={safeAdminPath(typeof query.next === "string" ? query.next : null)}
        />
      </ClientMessages>
    </>
  );
}
