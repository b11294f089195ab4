// Administrator sign-in, step 2: the code sent by SMS to the administrator's registered number.
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { AdminCodeForm } from "../../../../_components/admin/admin-code-form";
import { safeAdminPath } from "@/lib/admin/rules";
import { getAdminCookie } from "@/lib/admin/session";
import { codePageInfo, loadPendingSignIn } from "@/lib/admin/sign-in";
import { getDb } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { clientMessages } from "@/app/_components/client-messages";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Admin.code"))("metaTitle") };
}

export default async function AdminCodePage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const db = await getDb();
  const token = (await getAdminCookie()).token;
  const context = await getRequestContext();
  const pending = await orUnavailable({ during: "admin-sign-in-code" }, () => loadPendingSignIn(db, token, { context }));
  if (!pending) return redirect({ href: { pathname: "/admin/sign-in", query: { ended: "1" } }, locale: await getLocale() });
  const info = codePageInfo(pending);
  const { next } = await searchParams;
  const t = await getTranslations("Admin.code");
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("sent", { masked: info.maskedNumber })}</p>
      <p className="muted">{t("validity", { minutes: info.codeTtlMinutes })}</p>
      <ClientMessages paths={clientMessages.adminCodeForm}>
        <AdminCodeForm next={safeAdminPath(typeof next === "string" ? next : null)} resendAfterSeconds={info.resendAfterSeconds} />
      </ClientMessages>
    </>
  );
}
