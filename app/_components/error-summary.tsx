"use client";
// Error summary at the top of a form: announced, focused when it appears, each entry linking to its field.
import { useEffect, useRef } from "react";

export type SummaryItem = { field?: string; message: string };

export function ErrorSummary({ title, items }: { title: string; items: SummaryItem[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (items.length) ref.current?.focus();
  }, [items]);
  if (!items.length) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref} autoFocus aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {items.map((item) => (
          <li key={(item.field ?? "form") + item.message}>
            {item.field ? <a href={`#${item.field}`}>{item.message}</a> : item.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
