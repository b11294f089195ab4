// "Cannot reach the account service now": where a page or action goes when the account store (a directory) could not
// be reached or did not answer in time (lib/errors/unavailable.ts). proxy.ts gives this address status 503 and a
// Retry-After, so browsers, monitors and proxies see the outage; nothing was changed by the request that ended here.
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/server-link";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("UnavailablePage"))("metaTitle"), robots: "noindex" };
}

type Query = { replaced?: string };

export default async function UnavailablePage({ searchParams }: { searchParams: Promise<Query> }) {
  const t = await getTranslations("UnavailablePage");
  const query = await searchParams;
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("body")}</p>
      {/* AD's two-step reset lost the directory after the old password had been replaced: say so plainly. */}
      {query.replaced === "1" ? <p role="alert">{t("passwordReplaced")}</p> : <p>{t("nothingChanged")}</p>}
      <p className="links">
        <Link href="/">{t("signIn")}</Link>
      </p>
      <p className="links">
        <Link href="/recover">{t("recover")}</Link>
      </p>
    </>
  );
}
