// The audit rows newest first, with links that narrow the view (account, IP) or open an attempt's timeline, the paging
// links and the CSV export of the same filters. User-controlled text (user agent, reasons) is rendered as text only.
import { getTranslations } from "next-intl/server";
import type { AuditEntry, AuditPage } from "@/lib/audit/query";
import { eventName, type EventNameTree } from "@/lib/audit/query-event-names";
import { filterSearchParams, type AuditFilterInput } from "@/lib/audit/query-filters";
import { Link } from "@/lib/i18n/server-link";
import { ActorNote, EventLabel, OutcomeLabel, ReasonLabel, TimeCell, UserAgentCell } from "./audit-cells";

type Props = { page: AuditPage; input: AuditFilterInput; events: EventNameTree; locale: string };

export async function AuditTable({ page, input, events, locale }: Props) {
  const t = await getTranslations("Audit");
  const audit = (extra: Record<string, string>) => ({
    pathname: "/admin/audit",
    query: Object.fromEntries(filterSearchParams(input, extra)),
  });
  // Narrowing links keep the period and replace every other filter.
  const only = (filter: Record<string, string>) => ({
    pathname: "/admin/audit",
    query: Object.fromEntries(filterSearchParams({ ...input, event: "", outcome: "", user: "", ip: "", flow: "" }, filter)),
  });
  const exportHref = `/api/admin/audit/export?${filterSearchParams(input, { locale }).toString()}`;
  const none = <span aria-hidden="true">{t("table.none")}</span>;
  // Column names, each in the header and on every row's cell (data-label, for narrow screens): translated once.
  const columns = ["time", "event", "outcome", "reason", "account", "flow", "ip", "userAgent", "locale"] as const;
  const label = Object.fromEntries(columns.map((c) => [c, t(`table.${c}`)])) as Record<(typeof columns)[number], string>;

  const account = (e: AuditEntry) => {
    if (!e.account) return none;
    if (e.account.kind === "unknown") {
      const label = t("table.unknownId", { hash: e.account.hash.slice(0, 8) });
      return (
        <Link href={only({ user: e.account.hash })} title={t("table.filterUser", { user: label })}>
          {label}
        </Link>
      );
    }
    const user = e.account.email ?? e.account.id;
    return (
      <Link href={only({ user })} title={t("table.filterUser", { user })} className="audit-email">
        {emailParts(user)}
      </Link>
    );
  };

  return (
    <section aria-labelledby="audit-table-title" className="audit-section">
      <div className="audit-table-head">
        <h2 id="audit-table-title">{t("table.title")}</h2>
        <p className="audit-export">
          <a href={exportHref} className="button" aria-describedby="audit-export-hint">
            {t("table.export")}
          </a>
          <span id="audit-export-hint" className="hint">
            {t("table.exportHint")}
          </span>
        </p>
      </div>
      {page.entries.length === 0 ? (
        <p className="callout" role="status">
          {t("table.empty")}
        </p>
      ) : (
        <table className="audit-table">
          <caption className="visually-hidden">{t("table.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{label.time}</th>
              <th scope="col">{label.event}</th>
              <th scope="col">{label.outcome}</th>
              <th scope="col">{label.reason}</th>
              <th scope="col">{label.account}</th>
              <th scope="col">{label.flow}</th>
              <th scope="col">{label.ip}</th>
              <th scope="col">{label.userAgent}</th>
              <th scope="col">{label.locale}</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr key={e.id} data-event={e.event}>
                <td data-label={label.time}>
                  <TimeCell at={e.at} />
                </td>
                <td data-label={label.event}>
                  <EventLabel event={e.event} name={eventName(events, e.event)} />
                </td>
                <td data-label={label.outcome}>
                  <OutcomeLabel outcome={e.outcome} />
                </td>
                <td data-label={label.reason} className="audit-break">
                  <ReasonLabel reason={e.reason} />
                  <ActorNote details={e.details} />
                </td>
                <td data-label={label.account}>{account(e)}</td>
                <td data-label={label.flow}>
                  {e.flowId ? (
                    <Link href={`/admin/audit/flows/${encodeURIComponent(e.flowId)}`} title={t("table.flowLinkLabel", { id: e.flowId })}>
                      {t("table.flowLink", { id: e.flowId.slice(0, 8) })}
                    </Link>
                  ) : (
                    none
                  )}
                </td>
                <td data-label={label.ip}>
                  {e.ip ? (
                    <Link href={only({ ip: e.ip })} title={t("table.filterIp", { ip: e.ip })} className="audit-break">
                      {e.ip}
                    </Link>
                  ) : (
                    none
                  )}
                </td>
                <td data-label={label.userAgent}>
                  <UserAgentCell userAgent={e.userAgent} />
                </td>
                <td data-label={label.locale}>{e.locale ?? none}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.newer || page.older ? (
        <nav aria-label={t("paging.label")} className="audit-paging">
          {page.newer ? <Link href={audit({})}>{t("paging.newest")}</Link> : null}
          {page.newer ? (
            <Link href={audit({ after: page.newer })} rel="prev">
              {t("paging.newer")}
            </Link>
          ) : null}
          {page.older ? (
            <Link href={audit({ before: page.older })} rel="next">
              {t("paging.older")}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

/** An e-mail address that may wrap only before its "@" (never inside a name or a domain). */
function emailParts(address: string) {
  const at = address.lastIndexOf("@");
  if (at <= 0) return <span className="audit-break">{address}</span>;
  return (
    <>
      <span>{address.slice(0, at)}</span>
      <wbr />
      <span>{address.slice(at)}</span>
    </>
  );
}
