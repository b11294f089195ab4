// Totals for the period and the events-per-day chart: SVG bars (no JavaScript, no inline styles under the CSP) in a
// table whose numbers are the text alternative.
import { getFormatter, getTranslations } from "next-intl/server";
import { totalNames, type Totals } from "@/lib/audit/query";
import type { Chart } from "@/lib/audit/query-shape";

export async function AuditTotals({ totals, from, to }: { totals: Totals; from: Date; to: Date | null }) {
  const t = await getTranslations("Audit.totals");
  const format = await getFormatter();
  const when = (d: Date) => format.dateTime(d, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });
  // "to" is exclusive: the last minute shown is the one before it.
  const period = to ? t("period", { from: when(from), to: when(new Date(to.getTime() - 60_000)) }) : t("periodOpen", { from: when(from) });
  return (
    <section aria-labelledby="audit-totals-title" className="audit-section">
      <h2 id="audit-totals-title">{t("title")}</h2>
      <p className="muted">{period}</p>
      <dl className="audit-totals">
        {(["events", ...totalNames] as const).map((name) => (
          <div key={name} className={name === "events" ? "audit-total audit-total-all" : "audit-total"}>
            <dt>{t(name)}</dt>
            <dd>{format.number(totals[name])}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export async function AuditChart({ chart }: { chart: Chart }) {
  const t = await getTranslations("Audit.chart");
  const format = await getFormatter();
  const label = (start: string) =>
    format.dateTime(
      new Date(`${start}T12:00:00Z`),
      chart.unit === "month"
        ? { month: "short", year: "numeric", timeZone: "UTC" }
        : { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" },
    );
  const width = (n: number) => (chart.max ? (n / chart.max) * 100 : 0);
  return (
    <section aria-labelledby="audit-chart-title" className="audit-section">
      <h2 id="audit-chart-title">{t("title", { unit: chart.unit })}</h2>
      <p className="muted">{t("legend")}</p>
      <table className="audit-chart">
        <thead>
          <tr>
            <th scope="col" className="audit-chart-unit">
              {t("unit", { unit: chart.unit })}
            </th>
            <th scope="col" className="audit-chart-bar-cell">
              <span className="visually-hidden">{t("bar")}</span>
            </th>
            <th scope="col" className="num">
              {t("events")}
            </th>
            <th scope="col" className="num">
              {t("problems")}
            </th>
          </tr>
        </thead>
        <tbody>
          {chart.bars.map((bar) => (
            <tr key={bar.start}>
              <th scope="row">
                <time dateTime={bar.start}>{label(bar.start)}</time>
              </th>
              <td className="audit-chart-bar-cell">
                <svg className="audit-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                  <rect className="audit-bar-all" x="0" y="0" height="10" width={width(bar.events)} />
                  <rect className="audit-bar-problems" x="0" y="0" height="10" width={width(bar.problems)} />
                </svg>
              </td>
              <td className="num">{format.number(bar.events)}</td>
              <td className="num">{format.number(bar.problems)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
