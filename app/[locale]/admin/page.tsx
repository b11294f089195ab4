// The admin area's front page: what an administrator can look at, and how long the session lasts.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AdminShell } from "../../_components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin/guard";
import { getConfig } from "@/lib/config";
import { Link } from "@/lib/i18n/server-link";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Admin.home"))("metaTitle") };
}

export default async function AdminHomePage({ params }: { params: Promise<{ locale: string }> }) {
  const identity = await requireAdminPage((await params).locale, "/admin");
  const t = await getTranslations("Admin.home");
  const { idleMinutes, sessionHours } = getConfig().admin;
  return (
    <AdminShell identity={identity} current="home">
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro", { name: identity.displayName })}</p>
      <ul className="admin-tiles">
        <li>
          <Link href="/admin/audit">{t("audit")}</Link>
          <p className="muted">{t("auditHint")}</p>
        </li>
        <li>
          <Link href="/admin/accounts">{t("accounts")}</Link>
          <p className="muted">{t("accountsHint")}</p>
        </li>
      </ul>
      <p className="muted">{t("session", { idle: idleMinutes, hours: sessionHours })}</p>
    </AdminShell>
  );
}
