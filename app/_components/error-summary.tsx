"use client";
// Error summary at the top of a form: announced, focused when it appears, each entry linking to its field.
import { useEffect, useRef, type ReactNode } from "react";

/** `key` names an entry whose message is not plain text (a link inside); plain messages are their own key. */
export type SummaryItem = { field?: string; message: ReactNode; key?: string };

/**
 * `revision`: the form's latest answer (its action state). Focus moves to the summary for every new answer, also one
 * that says the same as the last (a second identical sign-in error), and not on renders while the user types.
 */
export function ErrorSummary({ title, items, revision }: { title: string; items: SummaryItem[]; revision?: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  const content = items.map((item) => `${item.field ?? ""}:${item.key ?? String(item.message)}`).join("\n");
  useEffect(() => {
    if (content) ref.current?.focus();
  }, [content, revision]);
  if (!items.length) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref} autoFocus aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {items.map((item) => (
          <li key={(item.field ?? "form") + (item.key ?? String(item.message))}>
            {item.field ? <a href={`#${item.field}`}>{item.message}</a> : item.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
