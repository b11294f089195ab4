// The audit log: filters (a GET form, so it works without JavaScript), totals and events per day for the period, the
// rows newest first with keyset paging, and a CSV export of the same view. Every view is audited (admin.audit_viewed).
import type { Metadata } from "next";
import { getMessages, getTranslations } from "next-intl/server";
import { auditAdminView, requireAdminPage } from "@/lib/admin/guard";
import { filtersForAudit } from "@/lib/audit/query";
import type { EventNameTree } from "@/lib/audit/query-event-names";
import { loadAuditView, requestedPath, type SearchParams } from "@/lib/audit/query-view";
import { getDb } from "@/lib/db/client";
import { AdminShell } from "../../../_components/admin/admin-shell";
import { AuditFilters } from "./_components/audit-filters";
import { AuditChart, AuditTotals } from "./_components/audit-summary";
import { AuditTable } from "./_components/audit-table";
import "./audit.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Audit"))("metaTitle") };
}

export default async function AuditLogPage({
  params,
  searchParams,
}: {
  params: Promise<{ locale: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { locale } = await params;
  const query = await searchParams;
  const identity = await requireAdminPage(locale, requestedPath("/admin/audit", query));
  const view = await loadAuditView(await getDb(), query);
  await auditAdminView(
    identity,
    "admin.audit_viewed",
    view.kind === "ok"
      ? { ...filtersForAudit(view.filters), page: view.position, rows: view.page.entries.length }
      : { invalid: Object.keys(view.errors).join(",") },
  );
  const t = await getTranslations("Audit");
  const events: EventNameTree = (await getMessages()).Audit.events;
  return (
    <AdminShell identity={identity} current="audit">
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro")}</p>
      <AuditFilters input={view.input} errors={view.kind === "invalid" ? view.errors : {}} events={events} />
      {view.kind === "ok" ? (
        <>
          <div className="audit-overview">
            <AuditTotals totals={view.totals} from={view.filters.from} to={view.filters.to} />
            <AuditChart chart={view.chart} />
          </div>
          <AuditTable page={view.page} input={view.input} events={events} locale={locale} />
        </>
      ) : null}
    </AdminShell>
  );
}
