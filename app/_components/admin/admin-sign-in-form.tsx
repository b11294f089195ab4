"use client";
// Administrator sign-in, step 1: user name and password (a plain form post without JavaScript, no reload with it).
import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { adminSignInAction, type AdminSignInField } from "@/lib/admin/actions";
import { idle, type FormState } from "@/lib/forms/form-state";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";

export function AdminSignInForm({ next }: { next: string | null }) {
  const t = useTranslations("Admin.signIn");
  const tc = useTranslations("Common");
  const format = useFormatter();
  const [state, action, pending] = useActionState<FormState<AdminSignInField>, FormData>(adminSignInAction, idle);
  const err = state.status === "error" ? state : undefined;
  const time = err?.params?.time ? format.dateTime(new Date(String(err.params.time)), { timeStyle: "short" }) : "";
  const msg = (key: string | undefined) => (key ? t(key as "errors.rateLimited", { time }) : undefined);
  const userError = msg(err?.fieldErrors?.username);
  const passError = msg(err?.fieldErrors?.password);
  const formError = msg(err?.formError);
  // Only a rejected user name/password marks the fields; a lock or a missing number is not about what was typed.
  const rejected = err?.formError === "errors.invalid";
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(userError ? [{ field: "username", message: userError }] : []),
    ...(passError ? [{ field: "password", message: passError }] : []),
  ];
  const key = err ? JSON.stringify(err) : "";
  return (
    <form action={action} noValidate className="form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Field
        id="username"
        label={t("username")}
        error={userError}
        type="email"
        autoComplete="username"
        spellCheck={false}
        autoCapitalize="none"
        required
        defaultValue={err?.values?.username ?? ""}
        aria-invalid={userError || rejected ? true : undefined}
        key={`u-${key}`}
      />
      <Field id="password" label={t("password")} error={passError} type="password" autoComplete="current-password" required aria-invalid={passError || rejected ? true : undefined} key={`p-${key}`} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending}>
          {t("submit")}
        </button>
      </div>
    </form>
  );
}
