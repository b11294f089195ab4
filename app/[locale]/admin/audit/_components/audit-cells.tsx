// Cells the audit table and a flow's timeline share: a time in Dutch time with UTC beneath, an event, an outcome.
import { getFormatter, getTranslations } from "next-intl/server";
import { outcomes } from "@/lib/audit/query-filters";

const clock = { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" } as const;

export async function TimeCell({ at }: { at: Date }) {
  const t = await getTranslations("Audit.table");
  const format = await getFormatter();
  return (
    <>
      <time dateTime={at.toISOString()}>{format.dateTime(at, clock)}</time>
      <span className="audit-utc">{t("utc", { time: format.dateTime(at, { ...clock, timeZone: "UTC" }) })}</span>
    </>
  );
}

/** The event's name, and its code (what the filter and the export use) beneath. */
export function EventLabel({ event, name }: { event: string; name: string }) {
  return (
    <>
      <span className="audit-event-name">{name}</span>
      {name !== event ? <code className="audit-code">{event}</code> : null}
    </>
  );
}

/** Told by its word; the colour only repeats it. */
export async function OutcomeLabel({ outcome }: { outcome: string }) {
  const t = await getTranslations("Audit.outcomes");
  const known = (outcomes as readonly string[]).includes(outcome) ? (outcome as (typeof outcomes)[number]) : null;
  return <span className={`audit-outcome audit-outcome-${known ?? "other"}`}>{known ? t(known) : outcome}</span>;
}
