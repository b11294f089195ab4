// The audit log's filter form: a plain GET form (works without JavaScript) whose values are the URL's, errors per field.
import { getMessages, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import type { EventNameTree } from "@/lib/audit/query-event-names";
import { eventGroups } from "@/lib/audit/query-event-names";
import { outcomes, type AuditFilterInput, type FilterError, type FilterField } from "@/lib/audit/query-filters";
import { Link } from "@/lib/i18n/server-link";
import { ErrorSummary } from "../../../../_components/error-summary";
import { Field } from "../../../../_components/field";

type Props = { input: AuditFilterInput; errors: Partial<Record<FilterField, FilterError>>; events: EventNameTree };

export async function AuditFilters({ input, errors, events }: Props) {
  const t = await getTranslations("Audit");
  const error = (field: FilterField) => (errors[field] ? t(`errors.${errors[field]}`) : undefined);
  const groups = eventGroups(events);
  const groupNames: Record<string, string> = (await getMessages()).Audit.groups;
  // A hand-typed event the catalogue does not name still shows as chosen.
  const known = input.event === "" || groups.some((g) => g.prefix === input.event || g.events.some((e) => e.event === input.event));
  const summary = (Object.keys(errors) as FilterField[]).map((field) => ({ field, message: error(field)! }));
  return (
    <form method="get" role="search" aria-label={t("filters.label")} className="audit-filters" noValidate>
      <ErrorSummary title={t("filters.errorTitle")} items={summary} />
      <div className="audit-filter-grid">
        <Field
          id="from"
          label={t("filters.from")}
          hint={t("filters.periodHint")}
          error={error("from")}
          type="datetime-local"
          defaultValue={input.from}
        />
        <Field id="to" label={t("filters.to")} error={error("to")} type="datetime-local" defaultValue={input.to} />
        <SelectField id="event" label={t("filters.event")} error={error("event")} defaultValue={input.event}>
          <option value="">{t("filters.anyEvent")}</option>
          {known ? null : <option value={input.event}>{input.event}</option>}
          {groups.map((g) => {
            const group = groupNames[g.group] ?? g.group;
            return (
              <optgroup key={g.group} label={group}>
                <option value={g.prefix}>{t("filters.allOfGroup", { group })}</option>
                {g.events.map((e) => (
                  <option key={e.event} value={e.event}>
                    {e.name}
                  </option>
                ))}
              </optgroup>
            );
          })}
        </SelectField>
        <SelectField id="outcome" label={t("filters.outcome")} error={error("outcome")} defaultValue={input.outcome}>
          <option value="">{t("filters.anyOutcome")}</option>
          {outcomes.map((o) => (
            <option key={o} value={o}>
              {t(`outcomes.${o}`)}
            </option>
          ))}
          {input.outcome && !(outcomes as readonly string[]).includes(input.outcome) ? (
            <option value={input.outcome}>{input.outcome}</option>
          ) : null}
        </SelectField>
        <Field
          id="user"
          label={t("filters.user")}
          hint={t("filters.userHint")}
          error={error("user")}
          type="text"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          defaultValue={input.user}
        />
        <Field
          id="ip"
          label={t("filters.ip")}
          error={error("ip")}
          type="text"
          autoComplete="off"
          spellCheck={false}
          inputMode="text"
          defaultValue={input.ip}
        />
        <Field
          id="flow"
          label={t("filters.flow")}
          error={error("flow")}
          type="text"
          autoComplete="off"
          spellCheck={false}
          defaultValue={input.flow}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button primary">
          {t("filters.submit")}
        </button>
        <Link href="/admin/audit" className="button">
          {t("filters.clear")}
        </Link>
      </div>
    </form>
  );
}

/** A labelled <select> with its error wired like Field's. */
function SelectField({
  id,
  label,
  error,
  defaultValue,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  defaultValue: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={id}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {children}
      </select>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
