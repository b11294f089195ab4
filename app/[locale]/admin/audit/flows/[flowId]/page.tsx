// One attempt's timeline: every audit event with its flow id, oldest first, with the time since the start and since the
// step before, outcome, reason and details (recordAudit never stores secrets). Audited as admin.flow_viewed.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Fragment } from "react";
import { getFormatter, getLocale, getMessages, getTranslations } from "next-intl/server";
import { auditAdminView, requireAdminPage } from "@/lib/admin/guard";
import { flowTimeline } from "@/lib/audit/query";
import { eventName, type EventNameTree } from "@/lib/audit/query-event-names";
import { toLocalInput } from "@/lib/audit/query-filters";
import { formatDuration, withDurations } from "@/lib/audit/query-shape";
import { getDb } from "@/lib/db/client";
import { Link } from "@/lib/i18n/server-link";
import { AdminShell } from "../../../../../_components/admin/admin-shell";
import { EventLabel, OutcomeLabel, ReasonLabel, TimeCell } from "../../_components/audit-cells";
import "../../audit.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Audit.timeline"))("metaTitle") };
}

const flowIdPattern = /^[A-Za-z0-9-]{1,64}$/;

export default async function FlowTimelinePage({ params }: { params: Promise<{ locale: string; flowId: string }> }) {
  const { locale, flowId } = await params;
  // Access first: even a malformed address tells a visitor without an admin session nothing.
  const identity = await requireAdminPage(locale, `/admin/audit/flows/${encodeURIComponent(flowId)}`);
  if (!flowIdPattern.test(flowId)) notFound();
  const steps = withDurations(await flowTimeline(await getDb(), flowId));
  await auditAdminView(identity, "admin.flow_viewed", { flow: flowId, steps: steps.length });

  const t = await getTranslations("Audit");
  const format = await getFormatter();
  const events: EventNameTree = (await getMessages()).Audit.events;
  const lang = await getLocale();
  const first = steps[0];
  const last = steps[steps.length - 1];
  const account = steps.find((s) => s.account)?.account ?? null;
  const none = <span aria-hidden="true">{t("table.none")}</span>;

  return (
    <AdminShell identity={identity} current="audit">
      <h1>{t("timeline.title")}</h1>
      <p className="lead audit-break">{t("timeline.intro", { flow: flowId })}</p>
      {!first || !last ? (
        <p className="callout" role="status">
          {t("timeline.empty")}
        </p>
      ) : (
        <>
          <section aria-labelledby="timeline-summary-title" className="audit-section">
            <h2 id="timeline-summary-title">{t("timeline.summary")}</h2>
            <dl className="timeline-facts">
              <dt>{t("timeline.account")}</dt>
              <dd>
                {account?.kind === "user"
                  ? (account.email ?? account.id)
                  : account?.kind === "unknown"
                    ? t("table.unknownId", { hash: account.hash.slice(0, 8) })
                    : none}
              </dd>
              <dt>{t("timeline.started")}</dt>
              <dd>{format.dateTime(first.at, { dateStyle: "full", timeStyle: "medium", hourCycle: "h23" })}</dd>
              <dt>{t("timeline.duration")}</dt>
              <dd>{formatDuration(last.sinceStartMs, lang)}</dd>
              <dt>{t("timeline.steps")}</dt>
              <dd>{steps.length}</dd>
              <dt>{t("timeline.ip")}</dt>
              <dd>{first.ip ?? none}</dd>
              <dt>{t("timeline.userAgent")}</dt>
              <dd>{first.userAgent ?? none}</dd>
            </dl>
          </section>
          <section aria-labelledby="timeline-steps-title" className="audit-section">
            <h2 id="timeline-steps-title">{t("timeline.caption")}</h2>
            <table className="audit-table timeline-table" aria-labelledby="timeline-steps-title">
              <thead>
                <tr>
                  <th scope="col">{t("timeline.step")}</th>
                  <th scope="col">{t("timeline.time")}</th>
                  <th scope="col">{t("timeline.sinceStart")}</th>
                  <th scope="col">{t("timeline.sincePrevious")}</th>
                  <th scope="col">{t("table.event")}</th>
                  <th scope="col">{t("table.outcome")}</th>
                  <th scope="col">{t("table.reason")}</th>
                  <th scope="col">{t("timeline.details")}</th>
                </tr>
              </thead>
              <tbody>
                {steps.map((s, i) => (
                  <tr key={s.id} data-event={s.event}>
                    <td data-label={t("timeline.step")} className="num">
                      {i + 1}
                    </td>
                    <td data-label={t("timeline.time")}>
                      <TimeCell at={s.at} />
                    </td>
                    <td data-label={t("timeline.sinceStart")} className="num">
                      +{formatDuration(s.sinceStartMs, lang)}
                    </td>
                    <td data-label={t("timeline.sincePrevious")} className="num">
                      {i === 0 ? none : `+${formatDuration(s.sincePreviousMs, lang)}`}
                    </td>
                    <td data-label={t("table.event")}>
                      <EventLabel event={s.event} name={eventName(events, s.event)} />
                    </td>
                    <td data-label={t("table.outcome")}>
                      <OutcomeLabel outcome={s.outcome} />
                    </td>
                    <td data-label={t("table.reason")} className="audit-break">
                      <ReasonLabel reason={s.reason} />
                    </td>
                    <td data-label={t("timeline.details")} className="timeline-details-cell">
                      {s.details && Object.keys(s.details).length ? (
                        <dl className="timeline-details">
                          {Object.entries(s.details).map(([key, value]) => (
                            <Fragment key={key}>
                              <dt>{key}</dt>
                              <dd>{value === null ? "—" : String(value)}</dd>
                            </Fragment>
                          ))}
                        </dl>
                      ) : (
                        none
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      <p className="links">
        <Link href={{ pathname: "/admin/audit", query: { flow: flowId, ...(first ? { from: toLocalInput(first.at) } : {}) } }}>
          {t("timeline.inTrail")}
        </Link>
      </p>
      <p className="links">
        <Link href="/admin/audit">{t("timeline.back")}</Link>
      </p>
    </AdminShell>
  );
}
