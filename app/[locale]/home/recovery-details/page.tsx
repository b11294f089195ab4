// "Mijn herstelgegevens": the signed-in user's registered mobile number (masked), when they last confirmed it, and the
// change of it: new number + current password, then the code sent to the new number.
import type { Metadata } from "next";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { clientMessages } from "@/app/_components/client-messages";
import { PostForm } from "../../../_components/post-form";
import { MobileChangeForm } from "../../../_components/recovery-details/mobile-change-form";
import { CANCEL_MOBILE_CHANGE, MobileCodeForm } from "../../../_components/recovery-details/mobile-code-form";
import { currentAccount } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { redirect } from "@/lib/i18n/navigation";
import { Link } from "@/lib/i18n/server-link";
import { cancelMobileChangeAction } from "@/lib/recovery-details/actions";
import { loadRecoveryDetails } from "@/lib/recovery-details/service";
import { getRequestContext } from "@/lib/security/request-context";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("RecoveryDetails"))("metaTitle") };
}

const NOTICES = ["changed", "registered", "cancelled", "already-changed"] as const;
const PROBLEMS = ["ended", "unavailable"] as const;

export default async function RecoveryDetailsPage({ searchParams }: { searchParams: Promise<{ done?: string }> }) {
  const db = await getDb();
  const { account, hadCookie } = await orUnavailable({ during: "home" }, () => currentAccount(db));
  if (!account) return redirect({ href: hadCookie ? "/?ended=1" : "/", locale: await getLocale() });
  const context = await getRequestContext();
  const details = await orUnavailable({ during: "home" }, () => loadRecoveryDetails(db, account, { context }));
  const t = await getTranslations("RecoveryDetails");
  const format = await getFormatter();
  const { done } = await searchParams;
  const notice = NOTICES.find((n) => n === done);
  const problem = PROBLEMS.find((p) => p === done);

  if (details.pending) {
    return (
      <>
        <h1>{t("codeTitle")}</h1>
        <p className="lead">{t("codeSent", { masked: details.pending.maskedNumber })}</p>
        <p className="muted">{t("validFor", { minutes: details.pending.codeTtlMinutes })}</p>
        <ClientMessages paths={clientMessages.mobileCodeForm}>
          <MobileCodeForm />
          <PostForm id={CANCEL_MOBILE_CHANGE} action={cancelMobileChangeAction} />
        </ClientMessages>
      </>
    );
  }

  return (
    <>
      <h1>{t("title")}</h1>
      {notice ? (
        <p className="notice" role="status">
          {t(notice)}
        </p>
      ) : null}
      {problem ? (
        <p className="notice problem" role="alert">
          {t(`errors.${problem}`)}
        </p>
      ) : null}
      <p className="lead">{t("intro")}</p>
      <dl className="details">
        <dt>{t("current")}</dt>
        <dd>{details.maskedNumber ?? t("none")}</dd>
        {details.maskedNumber ? (
          <dd className="muted">
            {details.confirmedAt
              ? t("confirmedAt", { date: format.dateTime(details.confirmedAt, { dateStyle: "long" }) })
              : t("neverConfirmed")}
          </dd>
        ) : null}
      </dl>
      <h2>{details.maskedNumber ? t("changeTitle") : t("registerTitle")}</h2>
      <p>{t("changeIntro")}</p>
      <ClientMessages paths={clientMessages.mobileChangeForm}>
        <MobileChangeForm />
      </ClientMessages>
      <p className="links">
        <Link href="/home">{t("back")}</Link>
      </p>
    </>
  );
}
