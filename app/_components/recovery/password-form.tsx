"use client";
// New password with its confirmation; with JavaScript the rule checklist ticks off while typing. The dictionary checks
// (common passwords, strength) run only on the server: the browser checks the banned terms it knows and learns the rest
// after "Voltooien", so the page never downloads a dictionary.
import { usePathname } from "next/navigation";
import { useActionState, useMemo, useState, type ReactNode } from "react";
import { useScripted } from "../use-scripted";
import { useTranslations } from "next-intl";
import { bannedTerms, guessableByTerms } from "@/lib/password/guessable";
import { checkPasswordRules, GUESS_RULES, type PasswordRule } from "@/lib/password/policy";
import { chooseNewPasswordAction, type PasswordState } from "@/lib/recovery/actions";
import { ErrorSummary } from "../error-summary";

const CHECKLIST = ["length", "uppercase", "digit", "lastName", "guessable", "history", "confirmation"] as const;
const GUESSING = new Set<string>(GUESS_RULES);

type Props = {
  lastName: string;
  /** The user's other words (first name, user ID) and the organisation's name: what the browser can check by itself. */
  ownWords: string[];
  orgTerms: string[];
  cancel: ReactNode;
};

export function PasswordForm({ lastName, ownWords, orgTerms, cancel }: Props) {
  const tp = useTranslations("Recovery.password");
  const tc = useTranslations("Common");
  // The page's own address as the form's action (without it React writes action="", which is invalid HTML).
  const permalink = usePathname();
  const [state, action, pending] = useActionState<PasswordState, FormData>(chooseNewPasswordAction, { status: "idle" }, permalink);
  // Controlled fields: a refused "Voltooien" keeps what was typed (with JavaScript nothing is sent back for it). Without
  // JavaScript the server sends the new password back only when it met every rule and just the confirmation differed.
  const echoed = state.status === "rules" ? (state.values?.password ?? "") : "";
  const [password, setPassword] = useState(echoed);
  const [confirmation, setConfirmation] = useState("");
  const [show, setShow] = useState(false);
  const scripted = useScripted();
  // The server's verdicts (guessable, used before) hold for the password they were given about, until it is edited.
  const [judged, setJudged] = useState<{ state: PasswordState; password: string }>({ state, password });
  if (judged.state !== state) setJudged({ state, password });

  const rules = state.status === "rules" ? state.rules : [];
  const current = judged.password === password;
  const serverBroken = new Set<PasswordRule>(current ? rules : []);
  const live = new Set<PasswordRule>(checkPasswordRules(password, { lastName, confirmation }));
  const terms = useMemo(() => bannedTerms({ orgTerms, names: [...ownWords, lastName] }), [orgTerms, ownWords, lastName]);
  const guessableNow = live.has("length") ? false : guessableByTerms(password, terms).length > 0;
  const typed = password.length > 0;
  const fieldKeys = state.status === "invalid" ? state.fieldErrors : {};
  // Each broken rule is said once: the checklist marks its line; a reason the checklist has no line for (which common
  // password, a directory's policy) is named under the field; the summary only points to the field(s) concerned.
  const inChecklist = new Set<string>(CHECKLIST);
  const reasons = rules.filter((r) => !inChecklist.has(r)).map((r) => tp(`errors.${r}`));
  const passwordMessages = fieldKeys.password ? [tp(fieldKeys.password)] : reasons;
  const passwordError = passwordMessages.length ? passwordMessages.join(" ") : undefined;
  const passwordBroken = rules.some((r) => r !== "confirmation");
  const confirmationBroken = rules.includes("confirmation") || Boolean(fieldKeys.confirmation);
  const items = [
    ...(fieldKeys.password ? [{ field: "password", message: tp(fieldKeys.password) }] : []),
    ...(passwordBroken ? [{ field: "password", message: tp("errors.rulesBroken") }] : []),
    ...(confirmationBroken ? [{ field: "confirmation", message: tp("errors.confirmation") }] : []),
  ];

  function status(rule: (typeof CHECKLIST)[number]): "met" | "unmet" | "unknown" {
    // Only the server can say a password is not guessable (it has the dictionaries) or new (it has the history).
    if (rule === "guessable") {
      if ([...serverBroken].some((r) => GUESSING.has(r))) return "unmet";
      return scripted && typed && guessableNow ? "unmet" : "unknown";
    }
    if (rule === "history") return serverBroken.has("history") || serverBroken.has("previous") ? "unmet" : "unknown";
    if (scripted && typed) {
      if (rule === "confirmation" && confirmation.length === 0) return "unknown";
      return live.has(rule) ? "unmet" : "met";
    }
    if (serverBroken.size) return serverBroken.has(rule) ? "unmet" : "unknown";
    return "unknown";
  }

  return (
    <form action={action} noValidate className="form">
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} revision={state} />
      {/* AD's two-step reset: the directory refused the new password after the old one had been replaced. */}
      {state.status === "rules" && state.previousPasswordReplaced ? <p className="notice">{tp("previousReplaced")}</p> : null}
      <div className="field">
        <label htmlFor="password">
          <span aria-hidden="true">* </span>
          {tp("new")}
          <span className="visually-hidden"> ({tp("required")})</span>
        </label>
        <input
          id="password"
          name="password"
          type={show ? "text" : "password"}
          autoComplete="new-password"
          required
          maxLength={1024}
          value={password}
          aria-invalid={passwordBroken || fieldKeys.password ? true : undefined}
          aria-describedby={["password-rules", passwordError ? "password-error" : ""].filter(Boolean).join(" ")}
          onChange={(e) => setPassword(e.target.value)}
        />
        {passwordMessages.length ? (
          <ul id="password-error" className="field-errors">
            {passwordMessages.map((m) => (
              <li key={m} className="field-error">
                {m}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="confirmation">
          <span aria-hidden="true">* </span>
          {tp("confirm")}
          <span className="visually-hidden"> ({tp("required")})</span>
        </label>
        <input
          id="confirmation"
          name="confirmation"
          type={show ? "text" : "password"}
          autoComplete="new-password"
          required
          maxLength={1024}
          value={confirmation}
          aria-invalid={confirmationBroken ? true : undefined}
          aria-describedby="password-rules"
          onChange={(e) => setConfirmation(e.target.value)}
        />
      </div>
      {scripted ? (
        <div className="checkbox">
          <input id="show-passwords" type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} />
          <label htmlFor="show-passwords">{tp("show")}</label>
        </div>
      ) : null}
      <div id="password-rules" className="rules">
        <p className="rules-title">{tp("rulesTitle")}</p>
        <ul>
          {CHECKLIST.map((rule) => {
            const s = status(rule);
            return (
              <li key={rule} className={`rule rule-${s}`} data-rule={rule} data-status={s}>
                <span className="rule-icon" aria-hidden="true">
                  {s === "met" ? "✓" : s === "unmet" ? "✗" : "•"}
                </span>
                {tp(`rules.${rule}`)}
                {s !== "unknown" ? <span className="visually-hidden"> ({s === "met" ? tp("ruleMet") : tp("ruleNotMet")})</span> : null}
              </li>
            );
          })}
        </ul>
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={pending} aria-busy={pending || undefined}>
          {tp("submit")}
        </button>
        {cancel}
      </div>
    </form>
  );
}
