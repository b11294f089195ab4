// Everything the audit page shows for one URL, loaded in one call: checked filters, the page of rows, totals and chart.
import "server-only";
import type { Db } from "@/lib/db/client";
import { auditPage, auditSummary, resolveFilters, type AuditPage, type ResolvedFilters, type Totals } from "./query";
import { pageRequest } from "./query-cursor";
import { filterFields, parseAuditFilters, type AuditFilterInput, type FilterError, type FilterField } from "./query-filters";
import { chartBars, type Chart } from "./query-shape";

export type SearchParams = Record<string, string | string[] | undefined>;

export type AuditView =
  | { kind: "invalid"; input: AuditFilterInput; errors: Partial<Record<FilterField, FilterError>> }
  | {
      kind: "ok";
      input: AuditFilterInput;
      filters: ResolvedFilters;
      page: AuditPage;
      /** Which page this is, for the audit row: the newest, or one reached by paging. */
      position: "newest" | "older" | "newer";
      totals: Totals;
      chart: Chart;
    };

export async function loadAuditView(db: Db, params: SearchParams, now = new Date()): Promise<AuditView> {
  const parsed = parseAuditFilters(params, now);
  if (!parsed.ok) return { kind: "invalid", input: parsed.input, errors: parsed.errors };
  const filters = await resolveFilters(db, parsed.filters);
  const request = pageRequest(params);
  const [page, summary] = await Promise.all([auditPage(db, filters, request), auditSummary(db, filters)]);
  return {
    kind: "ok",
    input: parsed.input,
    filters,
    page,
    position: request?.direction === "before" ? "older" : request?.direction === "after" && page.newer ? "newer" : "newest",
    totals: summary.totals,
    chart: chartBars(summary.days, filters.from, filters.to, now),
  };
}

/** The page's own address with its filters and cursor (nothing else), for the sign-in to come back to. */
export function requestedPath(path: string, params: SearchParams): string {
  const query = new URLSearchParams();
  for (const name of [...filterFields, "before", "after"]) {
    const value = params[name];
    if (typeof value === "string" && value) query.set(name, value.slice(0, 320));
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}
