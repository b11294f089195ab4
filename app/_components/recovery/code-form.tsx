"use client";
// The code step: the code field with "Volgende", plus "Opnieuw proberen" (new code, with a visible cooldown). With
// JavaScript the page looks again for a few seconds after a send, so "no code could be sent" shows without a reload.
import { useRouter, usePathname } from "next/navigation";
import { useActionState, useEffect, useState, type ReactNode } from "react";
import { useScripted } from "../use-scripted";
import { useTranslations } from "next-intl";
import { resendCodeAction, verifyCodeAction, type CodeState, type ResendState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";
import { CodeField } from "../field";

type Props = {
  cooldownSeconds: number;
  /** How long delivery may still change what the page says (0 once it has settled). */
  watchSeconds: number;
  cancel: ReactNode;
  otherMethod: ReactNode;
};

const WATCH_INTERVAL_MS = 1_500;

export function CodeForm({ cooldownSeconds, watchSeconds, cancel, otherMethod }: Props) {
  const router = useRouter();
  const t = useTranslations("Recovery");
  const tk = useTranslations("Recovery.code");
  const tc = useTranslations("Common");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<CodeState, FormData>(verifyCodeAction, { status: "idle" }, permalink);
  const [resendState, resendAction, resending] = useActionState<ResendState, FormData>(resendCodeAction, { status: "idle" }, permalink);
  const [wait, setWait] = useState(cooldownSeconds);
  // Without JavaScript nothing would ever re-enable the button, so it is disabled only once the page is scripted.
  const scripted = useScripted();
  // The server's figure wins whenever the page is refreshed (after a failed send there is no wait at all).
  const [serverWait, setServerWait] = useState(cooldownSeconds);
  if (serverWait !== cooldownSeconds) {
    setServerWait(cooldownSeconds);
    setWait(cooldownSeconds);
  }
  // A new code: the refreshed page brings its cooldown, and looks again until its delivery has settled.
  useEffect(() => {
    if (resendState.status === "resent") router.refresh();
  }, [resendState, router]);
  useEffect(() => {
    if (watchSeconds <= 0) return;
    const until = Date.now() + watchSeconds * 1000;
    const timer = setInterval(() => (Date.now() > until ? clearInterval(timer) : router.refresh()), WATCH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [watchSeconds, router]);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  const err = state.status === "invalid" ? state : undefined;
  const codeError = err?.fieldErrors.code ? tk(err.fieldErrors.code, { attemptsLeft: err.attemptsLeft ?? 0 }) : undefined;
  const resendError =
    resendState.status === "refused" ? tk(resendState.formError, { seconds: resendState.params?.seconds ?? 0 }) : undefined;
  const items = [...(resendError ? [{ message: resendError }] : []), ...(codeError ? [{ field: "code", message: codeError }] : [])];
  return (
    <>
      {resendState.status === "resent" ? (
        <p className="notice" role="status">
          {tk("resent")}
        </p>
      ) : null}
      <form action={action} noValidate className="form">
        <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
        <CodeField label={tk("code")} hint={tk("codeHint")} error={codeError} key={JSON.stringify(state)} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
            {t("next")}
          </button>
          {cancel}
        </div>
      </form>
      <p className="hint no-code-hint">{tk("noCodeHint")}</p>
      <div className="secondary-actions">
        <form action={resendAction}>
          <button
            type="submit"
            className={scripted || wait <= 0 ? "link-button" : "link-button resend-waiting"}
            disabled={resending || (scripted && wait > 0)}
            aria-busy={resending || undefined}
            aria-describedby={wait > 0 ? "resend-wait" : undefined}
          >
            {tk("resend")}
          </button>
          {wait > 0 ? (
            <p id="resend-wait" className={scripted ? "hint" : "hint resend-waiting-hint"}>
              {tk("resendWait", { seconds: wait })}
            </p>
          ) : null}
        </form>
        {otherMethod}
      </div>
    </>
  );
}
