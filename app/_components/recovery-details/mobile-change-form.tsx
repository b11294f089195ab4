"use client";
// "Mijn herstelgegevens", step 1: the new mobile number and the current password; works as a plain form post too.
import { usePathname } from "next/navigation";
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { changeMobileAction, type MobileChangeState } from "@/lib/recovery-details/actions";
import { idle } from "@/lib/forms/form-state";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";

export function MobileChangeForm({ submitLabel }: { submitLabel?: string }) {
  const t = useTranslations("RecoveryDetails");
  const tc = useTranslations("Common");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<MobileChangeState, FormData>(changeMobileAction, idle, permalink);
  const err = state.status === "idle" ? undefined : state;
  const fieldErrors = state.status === "invalid" ? state.fieldErrors : {};
  const mobileError = fieldErrors.mobile ? t(fieldErrors.mobile) : undefined;
  const passwordError = fieldErrors.password ? t(fieldErrors.password) : undefined;
  const formError = state.status === "refused" ? t(state.formError) : undefined;
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(mobileError ? [{ field: "mobile", message: mobileError }] : []),
    ...(passwordError ? [{ field: "password", message: passwordError }] : []),
  ];
  return (
    <form action={action} noValidate className="form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} revision={state} />
      <Field
        id="mobile"
        label={t("mobile")}
        hint={t("mobileHint")}
        error={mobileError}
        type="tel"
        autoComplete="tel"
        inputMode="tel"
        maxLength={40}
        required
        defaultValue={err?.values?.mobile ?? ""}
        key={`m-${err ? JSON.stringify(err) : ""}`}
      />
      <Field
        id="password"
        label={t("password")}
        error={passwordError}
        type="password"
        autoComplete="current-password"
        required
        key={`p-${err ? JSON.stringify(err) : ""}`}
      />
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {submitLabel ?? t("sendCode")}
        </button>
      </div>
    </form>
  );
}
