// "Geen toegang": where a signed-in user without administrator rights is sent. Rendered here on the server (so it shows
// without JavaScript); proxy.ts gives this one address status 403. forbidden() is not used: Next.js 16 renders its page
// only with client JavaScript in dynamic routes (the shell-error path of vercel/next.js#62228).
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Link } from "@/lib/i18n/server-link";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Admin.forbidden"))("metaTitle"), robots: "noindex" };
}

export default async function AdminForbiddenPage() {
  const t = await getTranslations("Admin.forbidden");
  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("body")}</p>
      <p>{t("hint")}</p>
      <p className="links">
        <Link href="/home">{t("home")}</Link>
      </p>
      <p className="links">
        <Link href="/admin/sign-in">{t("adminSignIn")}</Link>
      </p>
    </>
  );
}
