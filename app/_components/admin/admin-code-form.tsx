"use client";
// Administrator sign-in, step 2: the code from the SMS, "Nieuwe code sturen" and "Annuleren" — three plain forms.
import { usePathname } from "next/navigation";
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import {
  cancelAdminSignInAction,
  resendAdminCodeAction,
  verifyAdminCodeAction,
  type AdminCodeState,
  type AdminResendState,
} from "@/lib/admin/actions";
import { ErrorSummary } from "../error-summary";
import { PostForm } from "../post-form";
import { CodeField } from "../field";

type Props = { next: string | null; resendAfterSeconds: number };

export function AdminCodeForm({ next, resendAfterSeconds }: Props) {
  const t = useTranslations("Admin.code");
  const tc = useTranslations("Common");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<AdminCodeState, FormData>(verifyAdminCodeAction, { status: "idle" }, permalink);
  const [resendState, resendAction, resending] = useActionState<AdminResendState, FormData>(
    resendAdminCodeAction,
    { status: "idle" },
    permalink,
  );
  const err = state.status === "invalid" ? state : undefined;
  const params = {
    attemptsLeft: err?.attemptsLeft ?? 0,
    seconds: resendState.status === "refused" ? (resendState.params?.seconds ?? 0) : 0,
  };
  const codeError = err?.fieldErrors.code ? t(err.fieldErrors.code, params) : undefined;
  const resendError = resendState.status === "refused" ? t(resendState.formError, params) : undefined;
  const items = [...(resendError ? [{ message: resendError }] : []), ...(codeError ? [{ field: "code", message: codeError }] : [])];
  return (
    <>
      {resendState.status === "resent" ? (
        <p className="notice" role="status">
          {t("resent")}
        </p>
      ) : null}
      <form action={action} noValidate className="form">
        <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <CodeField label={t("code")} hint={t("codeHint")} error={codeError} key={JSON.stringify(state)} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
            {t("submit")}
          </button>
          <button type="submit" className="button" form="cancel-admin-sign-in" formNoValidate>
            {t("cancel")}
          </button>
        </div>
      </form>
      {/* "Annuleren" beside "Aanmelden" belongs to this form (its form attribute): a formAction would be formaction="". */}
      <PostForm id="cancel-admin-sign-in" action={cancelAdminSignInAction} />
      <div className="secondary-actions">
        <form action={resendAction}>
          <button type="submit" className="link-button" disabled={resending} aria-describedby="resend-rule">
            {t("resend")}
          </button>
        </form>
        <p id="resend-rule" className="hint">
          {t("resendRule", { seconds: resendAfterSeconds })}
        </p>
      </div>
    </>
  );
}
