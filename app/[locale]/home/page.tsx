// The signed-in home page ("Werkplek"): the user's name and "Afmelden".
import type { Metadata } from "next";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { signOutAction } from "@/lib/auth/actions";
import { PostForm } from "../../_components/post-form";
import { currentAccount } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { redirect } from "@/lib/i18n/navigation";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("HomePage"))("metaTitle") };
}

export default async function HomePage() {
  const db = await getDb();
  const { account: user, hadCookie } = await orUnavailable({ during: "home" }, () => currentAccount(db));
  if (!user) redirect({ href: hadCookie ? "/?ended=1" : "/", locale: await getLocale() });
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
      <PostForm action={signOutAction} className="actions">
        <button type="submit" className="button">
          {t("signOut")}
        </button>
      </PostForm>
    </>
  );
}
