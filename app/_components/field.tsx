"use client";
// A labelled input with its hint and error wired through aria-describedby.
import type { InputHTMLAttributes, ReactNode } from "react";

type Props = InputHTMLAttributes<HTMLInputElement> & { id: string; label: ReactNode; hint?: ReactNode; error?: string };

export function Field({ id, label, hint, error, ...input }: Props) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <input id={id} name={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The one-time-code input of the wizard, the admin sign-in and "Mijn herstelgegevens": digits, autofilled from the SMS. */
export function CodeField({ label, hint, error }: { label: ReactNode; hint?: ReactNode; error?: string }) {
  return (
    <Field
      id="code"
      label={label}
      hint={hint}
      error={error}
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]*"
      maxLength={12}
      required
    />
  );
}
