// Cells the audit table and a flow's timeline share: a time in Dutch time with UTC beneath, an event, an outcome, a
// reason in words, the administrator behind a helpdesk action, a shortened browser. Synchronous components with
// next-intl's hooks: a page of fifty rows renders them without hundreds of awaited components.
import { useFormatter, useMessages, useTranslations } from "next-intl";
import { reasonLabel } from "@/lib/audit/labels";
import { outcomes } from "@/lib/audit/query-filters";
import { shortUserAgent } from "@/lib/audit/user-agent";

const clock = { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" } as const;

export function TimeCell({ at }: { at: Date }) {
  const t = useTranslations("Audit.table");
  const format = useFormatter();
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
export function OutcomeLabel({ outcome }: { outcome: string }) {
  const t = useTranslations("Audit.outcomes");
  const known = (outcomes as readonly string[]).includes(outcome) ? (outcome as (typeof outcomes)[number]) : null;
  return <span className={`audit-outcome audit-outcome-${known ?? "other"}`}>{known ? t(known) : outcome}</span>;
}

/** The reason in words with its code beneath; a code the catalogue does not know is shown as itself. */
export function ReasonLabel({ reason }: { reason: string | null }) {
  const messages = useMessages();
  if (!reason) return <span aria-hidden="true">—</span>;
  const label = reasonLabel(messages.Audit, reason);
  return (
    <>
      <span className="audit-reason">{label ?? reason}</span>
      {label ? <code className="audit-code">{reason}</code> : null}
    </>
  );
}

/** Who did it, when an administrator did (a helpdesk action), and the reason they gave. */
export function ActorNote({ details }: { details: Record<string, string | number | boolean | null> | null }) {
  const t = useTranslations("Audit.table");
  if (!details || typeof details.admin !== "string") return null;
  return (
    <span className="audit-actor">
      {t("admin", { admin: details.admin })}
      {typeof details.note === "string" && details.note ? (
        <>
          {": "}
          <q className="audit-note">{details.note}</q>
        </>
      ) : null}
    </span>
  );
}

/** The browser in a few words; the full text in a disclosure (no JavaScript needed) and as a tooltip. */
export function UserAgentCell({ userAgent }: { userAgent: string | null }) {
  const t = useTranslations("Audit.table");
  if (!userAgent) return <span aria-hidden="true">—</span>;
  const short = shortUserAgent(userAgent);
  if (short === userAgent) return <span>{userAgent}</span>;
  return (
    <details className="audit-ua">
      <summary title={userAgent}>
        {short}
        <span className="visually-hidden">, {t("fullUserAgent")}</span>
      </summary>
      <span className="audit-break">{userAgent}</span>
    </details>
  );
}
