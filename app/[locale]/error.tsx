"use client";
// Unexpected errors: a calm message and a correlation id (Next's digest, also in the server log), never a stack trace.
import { useTranslations } from "next-intl";
import { Link } from "@/lib/i18n/navigation";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("ErrorPage");
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("body")}</p>
      {error.digest ? <p className="muted">{t("reference", { id: error.digest })}</p> : null}
      <div className="actions">
        <button type="button" className="button primary" onClick={reset}>
          {t("retry")}
        </button>
        <Link href="/">{t("home")}</Link>
      </div>
    </>
  );
}
