"use client";
// The sign-in form (seed screen 0): works as a plain form post and, with JavaScript, without a full reload. The admin
// sign-in uses it too, with its own action and texts (namespace Admin.signIn has the same keys).
import { usePathname } from "next/navigation";
import { useActionState } from "react";
import { useFormatter, useLocale, useTranslations } from "next-intl";
import { signInAction, type SignInKey, type SignInState } from "@/lib/auth/actions";
import { idle } from "@/lib/forms/form-state";
import { localHref } from "@/lib/i18n/local-href";
import { ErrorSummary } from "./error-summary";
import { Field } from "./field";

type Props = {
  action?: (prev: SignInState, formData: FormData) => Promise<SignInState>;
  namespace?: "SignInPage" | "Admin.signIn";
  /** An address to return to after signing in, posted along. */
  next?: string | null;
};

const LINKED = ["SignInPage.errors.locked", "SignInPage.errors.mustChange", "SignInPage.errors.expired"] as const;

export function SignInForm({ action: submit = signInAction, namespace = "SignInPage", next = null }: Props) {
  const t = useTranslations(namespace);
  const help = localHref(useLocale(), "/help");
  const tc = useTranslations("Common");
  // The action names full keys of its own page's texts (SignInPage or Admin.signIn).
  const te = useTranslations();
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<SignInState, FormData>(submit, idle, permalink);
  const err = state.status === "idle" ? undefined : state;
  const format = useFormatter();
  const refused = state.status === "refused" ? state : undefined;
  const time = refused?.params?.time ? format.dateTime(new Date(refused.params.time), { timeStyle: "short" }) : "";
  const msg = (key: SignInKey | undefined) => (key ? te(key, { time }) : undefined);
  const fieldErrors = state.status === "invalid" ? state.fieldErrors : {};
  const userError = msg(fieldErrors.username);
  const passError = msg(fieldErrors.password);
  // A lock, a password that must be changed or has expired name the way out as a link ("Wachtwoord vergeten of account
  // vergrendeld?"), not just its quoted name.
  const withLink = LINKED.find((key) => key === refused?.formError);
  const formError = withLink ? te.rich(withLink, { link: (chunks) => <a href={help}>{chunks}</a> }) : msg(refused?.formError);
  // Only a rejected user name or password is a problem with what was typed; a lock, a limit or an outage marks no field.
  const credentialsRejected = refused?.formError === "SignInPage.errors.invalid" || refused?.formError === "Admin.signIn.errors.invalid";
  const items = [
    ...(formError ? [{ message: formError, key: refused?.formError }] : []),
    ...(userError ? [{ field: "username", message: userError }] : []),
    ...(passError ? [{ field: "password", message: passError }] : []),
  ];
  return (
    <form action={action} noValidate className="form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} revision={state} />
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
        <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {t("submit")}
        </button>
      </div>
      <p className="links">
        <a href={help}>{t("forgot")}</a>
      </p>
    </form>
  );
}
