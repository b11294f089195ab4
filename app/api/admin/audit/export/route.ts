// CSV export of the audit log's filtered view: GET with the page's filters (and locale for the header row), streamed in
// keyset batches. Administrators only; audited as admin.audit_exported with the filters and the rows sent.
import { getMessages, getTranslations } from "next-intl/server";
import { requireAdminRoute } from "@/lib/admin/guard";
import { auditAdmin } from "@/lib/admin/session";
import { auditCsvStream } from "@/lib/audit/export";
import { filtersForAudit, resolveFilters } from "@/lib/audit/query";
import { outcomeLabel, reasonLabel } from "@/lib/audit/labels";
import { eventName } from "@/lib/audit/query-event-names";
import { localDay, parseAuditFilters } from "@/lib/audit/query-filters";
import { getDb } from "@/lib/db/client";
import { routing } from "@/lib/i18n/routing";
import { getRequestContext } from "@/lib/security/request-context";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const identity = await requireAdminRoute(request);
  if (identity instanceof Response) return identity;
  const now = new Date();
  const search = new URL(request.url).searchParams;
  const params = Object.fromEntries([...search.keys()].map((name) => [name, search.getAll(name)]));
  const locale = routing.locales.find((l) => l === search.get("locale")) ?? routing.defaultLocale;
  const parsed = parseAuditFilters(params, now);
  if (!parsed.ok) {
    return new Response(`Invalid filters: ${Object.keys(parsed.errors).join(", ")}\n`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const db = await getDb();
  const filters = await resolveFilters(db, parsed.filters);
  const t = await getTranslations({ locale, namespace: "Audit.csv" });
  const catalogue = (await getMessages({ locale })).Audit;
  // Read now: the row count is known only when the stream ends, after this request's own scope.
  const context = { ...(await getRequestContext()), locale };
  const stream = auditCsvStream(
    db,
    filters,
    {
      column: (c) => t(c),
      eventName: (e) => eventName(catalogue.events, e),
      outcome: (o) => outcomeLabel(catalogue, o),
      reason: (r) => reasonLabel(catalogue, r),
    },
    ({ rows, complete }) =>
      auditAdmin(
        db,
        { context },
        {
          event: "admin.audit_exported",
          outcome: complete ? "success" : "info",
          reason: complete ? null : "download-broken-off",
          userId: identity.userId,
          details: { ...filtersForAudit(filters), rows },
        },
      ),
  );
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="toegang-audit-${localDay(now)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
