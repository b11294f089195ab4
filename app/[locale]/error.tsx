"use client";
// Unexpected errors: a calm message and a correlation id, never a stack trace. The id is Next's digest, which the
// portal's server makes the failed request's id (server/log.mjs, requestIdsAsDigests): the reqId of its log lines.
// When the portal's readiness check says a dependency is down, the error was the outage: the page says "temporarily
// unavailable" instead (the server answers full page loads with its own 503 page; this covers client navigations
// and actions with JavaScript).
import { useEffect, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { localHref } from "@/lib/i18n/local-href";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("ErrorPage");
  const locale = useLocale();
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    let current = true;
    fetch("/api/health/ready", { cache: "no-store" })
      .then((res) => {
        if (current) setUnavailable(res.status === 503);
      })
      .catch(() => {});
    return () => {
      current = false;
    };
  }, [error]);
  return (
    <>
      <h1>{unavailable ? t("unavailableTitle") : t("title")}</h1>
      <p>{unavailable ? t("unavailableBody") : t("body")}</p>
      {error.digest ? (
        <p className="muted" data-reference={error.digest}>
          {t("reference", { id: error.digest })}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button primary" onClick={reset}>
          {t("retry")}
        </button>
        <a href={localHref(locale, "/")}>{t("home")}</a>
      </div>
    </>
  );
}
