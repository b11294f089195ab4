// The seed's progress line: "verificatiestap 1 ✓ > nieuw wachtwoord kiezen" (or "account ontgrendelen").
import { getTranslations } from "next-intl/server";

export async function Progress({
  intent,
  verified,
  finished,
}: {
  intent: "reset" | "unlock" | null;
  verified: boolean;
  finished?: boolean;
}) {
  const t = await getTranslations("Recovery.progress");
  const second = intent === "unlock" ? t("unlock") : t("reset");
  return (
    <nav aria-label={t("label")}>
      <ol className="progress">
        <li aria-current={verified ? undefined : "step"} className={verified ? "passed" : "current"}>
          <span>{t("verify")}</span>
          {verified ? (
            <>
              {/* The tick is drawn; a screen reader hears "(afgerond)" (aria-label on a span is not allowed HTML). */}
              <span className="tick" aria-hidden="true">
                {" "}
                ✓
              </span>
              <span className="visually-hidden"> {t("passed")}</span>
            </>
          ) : (
            <span className="visually-hidden"> {t("current")}</span>
          )}
        </li>
        <li aria-current={verified && !finished ? "step" : undefined} className={verified ? (finished ? "passed" : "current") : ""}>
          <span>{second}</span>
          {finished ? (
            <>
              {/* The tick is drawn; a screen reader hears "(afgerond)" (aria-label on a span is not allowed HTML). */}
              <span className="tick" aria-hidden="true">
                {" "}
                ✓
              </span>
              <span className="visually-hidden"> {t("passed")}</span>
            </>
          ) : null}
          {verified && !finished ? <span className="visually-hidden"> {t("current")}</span> : null}
        </li>
      </ol>
    </nav>
  );
}
