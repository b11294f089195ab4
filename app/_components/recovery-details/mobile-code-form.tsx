"use client";
// "Mijn herstelgegevens", step 2: the code sent to the new number, and "Annuleren"; works as a plain form post too.
import { usePathname } from "next/navigation";
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { verifyMobileCodeAction, type MobileCodeState } from "@/lib/recovery-details/actions";
import { idle } from "@/lib/forms/form-state";
import { ErrorSummary } from "../error-summary";
import { CodeField } from "../field";

/** The id of the page's "Annuleren" form (a PostForm rendered outside this form). */
export const CANCEL_MOBILE_CHANGE = "cancel-mobile-change";

export function MobileCodeForm() {
  const t = useTranslations("RecoveryDetails");
  const tc = useTranslations("Common");
  const permalink = usePathname();
  const [state, action, pending] = useActionState<MobileCodeState, FormData>(verifyMobileCodeAction, idle, permalink);
  const err = state.status === "invalid" ? state : undefined;
  const codeError = err?.fieldErrors.code ? t(err.fieldErrors.code, { attemptsLeft: err.attemptsLeft ?? 0 }) : undefined;
  return (
    <form action={action} noValidate className="form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={codeError ? [{ field: "code", message: codeError }] : []} revision={state} />
      <CodeField label={t("code")} hint={t("codeHint")} error={codeError} key={JSON.stringify(state)} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {t("confirm")}
        </button>
        {/* Posts the page's own cancel form (CANCEL_MOBILE_CHANGE), beside "Bevestigen"; no formaction needed. */}
        <button type="submit" className="button" form={CANCEL_MOBILE_CHANGE} formNoValidate>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
