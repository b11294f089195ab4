"use client";
// The helpdesk actions on the admin account page: choose an action, give a reason, then confirm on a second step. Works
// as plain form posts too (each step is a submit of the same server action).
import { usePathname } from "next/navigation";
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { helpdeskAction } from "@/lib/admin/helpdesk-actions";
import type { HelpdeskAction, HelpdeskState } from "@/lib/admin/helpdesk-form";
import { ErrorSummary } from "../error-summary";

type Props = {
  accountId: string;
  email: string;
  /** Unlocking is offered only while the account is locked. */
  locked: boolean;
  /** The last digits of the registered number, or null when there is none (no SMS then). */
  mobileDigits: string | null;
  reasonMax: number;
};

export function HelpdeskForm({ accountId, email, locked, mobileDigits, reasonMax }: Props) {
  const t = useTranslations("Admin.helpdesk");
  const tc = useTranslations("Common");
  // This account's page as the form's address (without one React writes action="", which is invalid HTML); without
  // JavaScript the answer is shown there, with the account.
  const permalink = `${usePathname()}?user=${encodeURIComponent(email)}`;
  const [state, action, pending] = useActionState<HelpdeskState, FormData>(helpdeskAction, { status: "idle" }, permalink);
  const hidden = (
    <>
      <input type="hidden" name="accountId" value={accountId} />
      <input type="hidden" name="email" value={email} />
    </>
  );

  if (state.status === "confirm") {
    const { action: chosen, reason } = state.values;
    return (
      <form action={action} className="form helpdesk-confirm" aria-labelledby="helpdesk-confirm-title">
        {hidden}
        <input type="hidden" name="action" value={chosen} />
        <input type="hidden" name="reason" value={reason} />
        <h3 id="helpdesk-confirm-title" tabIndex={-1} autoFocus>
          {t("confirmTitle")}
        </h3>
        <p>{t(`confirm.${chosen}`, { email })}</p>
        <dl className="account-facts">
          <dt>{t("confirmReason")}</dt>
          <dd className="helpdesk-reason">{reason}</dd>
        </dl>
        <p>{mobileDigits ? t("confirmSms", { digits: mobileDigits }) : t("confirmNoSms")}</p>
        <div className="actions">
          <button type="submit" name="step" value="confirm" className="button primary" disabled={pending}>
            {t("confirmButton")}
          </button>
          <button type="submit" name="step" value="back" className="button secondary" disabled={pending}>
            {t("back")}
          </button>
        </div>
      </form>
    );
  }

  const values = state.status === "idle" ? {} : state.values;
  const fieldErrors = state.status === "invalid" ? state.fieldErrors : {};
  const formError = state.status === "refused" ? t(`errors.${state.formError}`, { max: reasonMax }) : undefined;
  const actionError = fieldErrors.action ? t(`errors.${fieldErrors.action}`, { max: reasonMax }) : undefined;
  const reasonError = fieldErrors.reason ? t(`errors.${fieldErrors.reason}`, { max: reasonMax }) : undefined;
  const choices: HelpdeskAction[] = locked ? ["unlock", "end-sessions", "require-change"] : ["end-sessions", "require-change"];
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(actionError ? [{ field: `helpdesk-${choices[0]}`, message: actionError }] : []),
    ...(reasonError ? [{ field: "reason", message: reasonError }] : []),
  ];
  const reasonDescribedBy = ["reason-hint", reasonError ? "reason-error" : null].filter(Boolean).join(" ");
  return (
    <form action={action} noValidate className="form" key={JSON.stringify(state)}>
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
      {hidden}
      <fieldset className="choices" aria-describedby={actionError ? "helpdesk-action-error" : undefined}>
        <legend>{t("action")}</legend>
        {actionError ? (
          <p id="helpdesk-action-error" className="field-error">
            {actionError}
          </p>
        ) : null}
        {choices.map((choice) => (
          <div className="choice" key={choice}>
            <input
              type="radio"
              id={`helpdesk-${choice}`}
              name="action"
              value={choice}
              defaultChecked={values.action === choice}
              aria-describedby={`helpdesk-${choice}-hint`}
            />
            <label htmlFor={`helpdesk-${choice}`}>{t(`actions.${choice}`)}</label>
            <p id={`helpdesk-${choice}-hint`} className="hint">
              {t(`hints.${choice}`)}
            </p>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="reason">{t("reason")}</label>
        <p id="reason-hint" className="hint">
          {t("reasonHint", { max: reasonMax })}
        </p>
        <textarea
          id="reason"
          name="reason"
          rows={3}
          maxLength={reasonMax}
          required
          defaultValue={values.reason ?? ""}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonDescribedBy}
        />
        {reasonError ? (
          <p id="reason-error" className="field-error">
            {reasonError}
          </p>
        ) : null}
      </div>
      <div className="actions">
        <button type="submit" name="step" value="review" className="button primary" disabled={pending}>
          {t("continue")}
        </button>
      </div>
    </form>
  );
}
