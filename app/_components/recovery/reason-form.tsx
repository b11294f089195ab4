"use client";
// "Waarom hebt u problemen bij het aanmelden?": reset or unlock, as two radio buttons.
import { usePathname } from "next/navigation";
import { useActionState, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { chooseIntentAction, type ReasonState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";

export function ReasonForm({ preselected, cancel }: { preselected: "reset" | "unlock" | null; cancel: ReactNode }) {
  const t = useTranslations("Recovery");
  const tc = useTranslations("Common");
  const tr = useTranslations("Recovery.reason");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<ReasonState, FormData>(chooseIntentAction, { status: "idle" }, permalink);
  const error = state.status === "invalid" && state.fieldErrors.intent ? tr(state.fieldErrors.intent) : undefined;
  return (
    <form action={action} noValidate className="form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={error ? [{ field: "intent-reset", message: error }] : []} />
      <fieldset className="choices" aria-describedby={error ? "intent-error" : undefined}>
        {/* The question is the group's legend and the page's heading at once, so a screen reader reads it once. */}
        <legend className="legend-heading">
          <h2>{t("reason.heading")}</h2>
        </legend>
        {error ? (
          <p id="intent-error" className="field-error">
            {error}
          </p>
        ) : null}
        <div className="choice">
          <input
            type="radio"
            id="intent-reset"
            name="intent"
            value="reset"
            defaultChecked={preselected !== "unlock"}
            aria-describedby="intent-reset-hint"
          />
          <label htmlFor="intent-reset">{t("reason.reset")}</label>
          <p id="intent-reset-hint" className="hint">
            {t("reason.resetHint")}
          </p>
        </div>
        <div className="choice">
          <input
            type="radio"
            id="intent-unlock"
            name="intent"
            value="unlock"
            defaultChecked={preselected === "unlock"}
            aria-describedby="intent-unlock-hint"
          />
          <label htmlFor="intent-unlock">{t("reason.unlock")}</label>
          <p id="intent-unlock-hint" className="hint">
            {t("reason.unlockHint")}
          </p>
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {t("next")}
        </button>
        {cancel}
      </div>
    </form>
  );
}
