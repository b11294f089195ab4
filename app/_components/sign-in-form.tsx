"use client";
// The sign-in form (seed screen 0): works as a plain form post and, with JavaScript, without a full reload. The admin
// sign-in uses it too, with its own action and texts (namespace Admin.signIn has the same keys).
import { useActionState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { signInAction, type SignInField } from "@/lib/auth/actions";
import { idle, type FormState } from "@/lib/forms/form-state";
import { Link } from "@/lib/i18n/navigation";
import { ErrorSummary } from "./error-summary";
import { Field } from "./field";

type Props = {
  action?: (prev: FormState<SignInField>, formData: FormData) => Promise<FormState<SignInField>>;
  namespace?: "SignInPage" | "Admin.signIn";
  /** An address to return to after signing in, posted along. */
  next?: string | null;
};

export function SignInForm({ action: submit = signInAction, namespace = "SignInPage", next = null }: Props) {
  const t = useTranslations(namespace);
  const tc = useTranslations("Common");
  const [state, action, pending] = useActionState<FormState<SignInField>, FormData>(submit, idle);
  const err = state.status === "error" ? state : undefined;
  const format = useFormatter();
  const time = err?.params?.time ? format.dateTime(new Date(String(err.params.time)), { timeStyle: "short" }) : "";
  const msg = (key: string | undefined) => (key ? t(key as "errors.rateLimited", { time }) : undefined);
  const userError = msg(err?.fieldErrors?.username);
  const passError = msg(err?.fieldErrors?.password);
  const formError = msg(err?.formError);
  // Only a rejected user name or password is a problem with what was typed; a lock, a limit or an outage marks no field.
  const credentialsRejected = err?.formError === "errors.invalid";
  const items = [
    ...(formError ? [{ message: formError }] : []),
    ...(userError ? [{ field: "username", message: userError }] : []),
    ...(passError ? [{ field: "password", message: passError }] : []),
  ];
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
        inputMode="email"
        spellCheck={false}
        autoCapitalize="none"
        required
        defaultValue={err?.values?.username ?? ""}
        aria-invalid={userError || credentialsRejected ? true : undefined}
        key={`u-${err ? JSON.stringify(err) : ""}`}
      />
      <Field
        id="password"
        label={t("password")}
        error={passError}
        type="password"
        autoComplete="current-password"
        required
        aria-invalid={passError || credentialsRejected ? true : undefined}
        key={`p-${err ? JSON.stringify(err) : ""}`}
      />
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending} aria-disabled={pending}>
          {t("submit")}
        </button>
      </div>
      <p className="links">
        <Link href="/help">{t("forgot")}</Link>
      </p>
    </form>
  );
}
