"use client";
// Error summary at the top of a form: announced, focused when it appears, each entry linking to its field.
import { useEffect, useRef } from "react";

export type SummaryItem = { field?: string; message: string };

export function ErrorSummary({ title, items }: { title: string; items: SummaryItem[] }) {
  const ref = useRef<HTMLDivElement>(null);
  // Focus follows what the summary says, not each render: a form that re-renders while the user types (the password
  // checklist) must not pull focus away from the field.
  const content = items.map((item) => `${item.field ?? ""}:${item.message}`).join("\n");
  useEffect(() => {
    if (content) ref.current?.focus();
  }, [content]);
  if (!items.length) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref} autoFocus aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {items.map((item) => (
          <li key={(item.field ?? "form") + item.message}>{item.field ? <a href={`#${item.field}`}>{item.message}</a> : item.message}</li>
        ))}
      </ul>
    </div>
  );
}
