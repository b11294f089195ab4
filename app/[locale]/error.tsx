"use client";
// Unexpected errors: a calm message and a correlation id, never a stack trace. The id is Next's digest, which the
// portal's server makes the failed request's id (server/log.mjs, requestIdsAsDigests): the reqId of its log lines.
// The texts are not in the page (every page would carry them for a rare event): they come from GET /api/error-page,
// translated and chosen by readiness there, so when a dependency is down the page says "temporarily unavailable"
// instead (the server answers full page loads with its own 503 page; this covers client navigations and actions with
// JavaScript). When the portal cannot be reached at all, the page is loaded again: the browser then shows its own
// "cannot connect" page, in the user's language, as it would for any other page of the portal.
import { useEffect, useState } from "react";
import { useParams } from "next/navigation";
import { errorPageTextsUrl, type ErrorPageTexts } from "@/lib/i18n/error-page-texts";
import { localHref } from "@/lib/i18n/local-href";

/** How long to wait before asking again when the portal answered, but not with the texts. */
const RETRY_MS = 5_000;

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // From the address (every page's path starts with its language), not from a next-intl provider the layout no longer has.
  const locale = useParams<{ locale: string }>().locale === "en" ? "en" : "nl";
  const [texts, setTexts] = useState<ErrorPageTexts | null>(null);
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      fetch(errorPageTextsUrl(locale, error.digest), { cache: "no-store" }).then(
        async (res) => {
          const body = res.ok ? ((await res.json()) as ErrorPageTexts) : null;
          if (!current) return;
          if (body) setTexts(body);
          else timer = setTimeout(load, RETRY_MS);
        },
        () => {
          if (current) window.location.reload();
        },
      );
    };
    load();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [error, locale]);
  if (!texts) return <div className="error-pending" aria-busy="true" />;
  return (
    <>
      <h1>{texts.title}</h1>
      <p>{texts.body}</p>
      {texts.reference ? (
        <p className="muted" data-reference={error.digest}>
          {texts.reference}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button primary" onClick={reset}>
          {texts.retry}
        </button>
        <a href={localHref(locale, "/")}>{texts.home}</a>
      </div>
    </>
  );
}
