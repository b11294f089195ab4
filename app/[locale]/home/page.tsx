// The signed-in home page ("Werkplek"): the user's name, "Mijn herstelgegevens" (with "Klopt dit nummer nog?" when the
// mobile number was never or too long ago confirmed) and "Afmelden".
import type { Metadata } from "next";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { signOutAction } from "@/lib/auth/actions";
import { PostForm } from "../../_components/post-form";
import { currentAccount } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { redirect } from "@/lib/i18n/navigation";
import { Link } from "@/lib/i18n/server-link";
import { confirmMobileAction } from "@/lib/recovery-details/actions";
import { loadRecoveryDetails } from "@/lib/recovery-details/service";
import { getRequestContext } from "@/lib/security/request-context";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("HomePage"))("metaTitle") };
}

export default async function HomePage({ searchParams }: { searchParams: Promise<{ confirmed?: string }> }) {
  const db = await getDb();
  const { account: user, hadCookie } = await orUnavailable({ during: "home" }, () => currentAccount(db));
  if (!user) redirect({ href: hadCookie ? "/?ended=1" : "/", locale: await getLocale() });
  const context = await getRequestContext();
  const details = await orUnavailable({ during: "home" }, () => loadRecoveryDetails(db, user!, { context }));
  const { confirmed } = await searchParams;
  const t = await getTranslations("HomePage");
  const format = await getFormatter();
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("welcome", { name: `${user!.firstName} ${user!.lastName}` })}</p>
      <p>{t("signedInAs", { email: user!.userId })}</p>
      {user!.passwordChangedAt ? (
        <p className="muted">
          {t("passwordChanged", { date: format.dateTime(user!.passwordChangedAt, { dateStyle: "long", timeStyle: "short" }) })}
        </p>
      ) : null}
      {confirmed === "1" && !details.reconfirmDue ? (
        <p className="notice" role="status">
          {t("reconfirmDone")}
        </p>
      ) : null}
      {details.reconfirmDue ? (
        <section className="callout" aria-labelledby="reconfirm-title">
          <h2 id="reconfirm-title">{t("reconfirmTitle")}</h2>
          <p>{details.maskedNumber ? t("reconfirmText", { masked: details.maskedNumber }) : t("reconfirmNoNumber")}</p>
          {details.maskedNumber ? (
            <PostForm action={confirmMobileAction} className="actions">
              <button type="submit" className="button primary">
                {t("reconfirmYes")}
              </button>
              <Link href="/home/recovery-details" className="button">
                {t("reconfirmChange")}
              </Link>
            </PostForm>
          ) : (
            <p className="actions">
              <Link href="/home/recovery-details" className="button primary">
                {t("reconfirmRegister")}
              </Link>
            </p>
          )}
        </section>
      ) : null}
      <p>
        <Link href="/home/recovery-details">{t("recoveryDetailsLink")}</Link>
        <br />
        <span className="muted">{t("recoveryDetailsHint")}</span>
      </p>
      <PostForm action={signOutAction} className="actions">
        <button type="submit" className="button">
          {t("signOut")}
        </button>
      </PostForm>
    </>
  );
}
