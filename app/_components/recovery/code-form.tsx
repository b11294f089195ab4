"use client";
// The code step: the code field with "Volgende", plus "Opnieuw proberen" (new code, with a visible cooldown).
import { useActionState, useEffect, useState, type ReactNode } from "react";
import { useTranslations } from "next-intl";
import { resendCodeAction, verifyCodeAction, type CodeState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";
import { Field } from "../field";

type Props = { cooldownSeconds: number; cancel: ReactNode; otherMethod: ReactNode };

export function CodeForm({ cooldownSeconds, cancel, otherMethod }: Props) {
  const t = useTranslations("Recovery");
  const tk = useTranslations("Recovery.code");
  const tc = useTranslations("Common");
  const [state, action, pending] = useActionState<CodeState, FormData>(verifyCodeAction, { status: "idle" });
  const [resendState, resendAction, resending] = useActionState<CodeState, FormData>(resendCodeAction, { status: "idle" });
  const [wait, setWait] = useState(cooldownSeconds);
  // Without JavaScript nothing would ever re-enable the button, so it is disabled only once the page is scripted.
  const [scripted, setScripted] = useState(false);
  useEffect(() => setScripted(true), []);
  useEffect(() => {
    if (resendState.resent) setWait(cooldownSeconds || 60);
  }, [resendState, cooldownSeconds]);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  const err = state.status === "error" ? state : undefined;
  const codeError = err?.fieldErrors?.code ? tk(err.fieldErrors.code as "errors.codeRequired", { attemptsLeft: Number(err.params?.attemptsLeft ?? 0) }) : undefined;
  const resendError =
    resendState.status === "error" && resendState.formError
      ? tk(resendState.formError as "errors.cooldown", { seconds: Number(resendState.params?.seconds ?? 0) })
      : undefined;
  const items = [...(resendError ? [{ message: resendError }] : []), ...(codeError ? [{ field: "code", message: codeError }] : [])];
  return (
    <>
      {resendState.resent && !resendError ? (
        <p className="notice" role="status">
          {tk("resent")}
        </p>
      ) : null}
      <form action={action} noValidate className="form">
        <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
        <Field
          id="code"
          label={tk("code")}
          hint={tk("codeHint")}
          error={codeError}
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={12}
          required
          key={JSON.stringify(state)}
        />
        {codeError ? <p className="hint">{tk("noCodeHint")}</p> : null}
        <div className="actions">
          <button type="submit" className="button primary" disabled={pending}>
            {t("next")}
          </button>
          {cancel}
        </div>
      </form>
      <div className="secondary-actions">
        <form action={resendAction}>
          <button type="submit" className="link-button" disabled={resending || (scripted && wait > 0)} aria-describedby={wait > 0 ? "resend-wait" : undefined}>
            {tk("resend")}
          </button>
          {wait > 0 ? (
            <p id="resend-wait" className="hint">
              {tk("resendWait", { seconds: wait })}
            </p>
          ) : null}
        </form>
        {otherMethod}
      </div>
    </>
  );
}
