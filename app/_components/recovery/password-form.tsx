"use client";
// New password with its confirmation; with JavaScript the rule checklist ticks off while typing. The dictionary checks
// (common passwords, strength) run only on the server: the browser checks the banned terms it knows and learns the rest
// after "Voltooien", so the page never downloads a dictionary.
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
  const [state, action, pending] = useActionState<PasswordState, FormData>(chooseNewPasswordAction, { status: "idle" });
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [show, setShow] = useState(false);
  const scripted = useScripted();
  // A rejected submit re-keys the form (both fields empty again), so the checklist must forget the old values too.
  const [seenState, setSeenState] = useState(state);
  if (seenState !== state) {
    setSeenState(state);
    setPassword("");
    setConfirmation("");
  }

  const rules = state.status === "rules" ? state.rules : [];
  const serverBroken = new Set<PasswordRule>(rules);
  const live = new Set<PasswordRule>(checkPasswordRules(password, { lastName, confirmation }));
  const terms = useMemo(() => bannedTerms({ orgTerms, names: [...ownWords, lastName] }), [orgTerms, ownWords, lastName]);
  const guessableNow = live.has("length") ? false : guessableByTerms(password, terms).length > 0;
  const typed = password.length > 0;
  // Every rule has its message (errors.<rule>): a rule without one fails the type check.
  const ruleMessage = (rule: PasswordRule) => tp(`errors.${rule}`);
  const fieldKeys = state.status === "invalid" ? state.fieldErrors : {};
  const fieldItems = (["password", "confirmation"] as const).flatMap((field) => {
    const key = fieldKeys[field];
    return key ? [{ field, message: tp(key) }] : [];
  });
  const items = rules.length
    ? rules.map((r) => ({ field: r === "confirmation" ? "confirmation" : "password", message: ruleMessage(r) }))
    : fieldItems;
  const passwordErrors = rules.filter((r) => r !== "confirmation");
  const passwordMessages = passwordErrors.length ? passwordErrors.map(ruleMessage) : fieldKeys.password ? [tp(fieldKeys.password)] : [];
  const passwordError = passwordMessages.length ? passwordMessages.join(" ") : undefined;
  const confirmationError = serverBroken.has("confirmation") ? tp("errors.confirmation") : undefined;

  function status(rule: (typeof CHECKLIST)[number]): "met" | "unmet" | "unknown" {
    // Only the server can say a password is not guessable (it has the dictionaries) or new (it has the history).
    if (rule === "guessable") {
      if (scripted && typed) return guessableNow ? "unmet" : "unknown";
      return [...serverBroken].some((r) => GUESSING.has(r)) ? "unmet" : "unknown";
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
    <form action={action} noValidate className="form" key={state.status === "idle" ? "fresh" : JSON.stringify(state)}>
      <ErrorSummary title={tc("errorSummaryTitle")} items={items} />
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
          aria-invalid={passwordError ? true : undefined}
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
          aria-invalid={confirmationError ? true : undefined}
          aria-describedby={confirmationError ? "confirmation-error" : undefined}
          onChange={(e) => setConfirmation(e.target.value)}
        />
        {confirmationError ? (
          <p id="confirmation-error" className="field-error">
            {confirmationError}
          </p>
        ) : null}
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
        <button type="submit" className="button primary" disabled={pending}>
          {tp("submit")}
        </button>
        {cancel}
      </div>
    </form>
  );
}
