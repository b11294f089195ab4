// Any unknown path under a locale shows the localised not-found page. It renders the page itself instead of calling
// notFound(): Next.js 16 does not server-render not-found.tsx after notFound() in a dynamic route (vercel/next.js#62228),
// which would leave browsers without JavaScript with a blank page. The 404 status is set by the proxy, which knows the
// pages (lib/i18n/pages.ts).
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import NotFound from "../not-found";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("NotFoundPage"))("metaTitle"), robots: "noindex" };
}

export default function CatchAll() {
  return <NotFound />;
}
