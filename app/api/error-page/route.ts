// GET /api/error-page?lang=nl&ref=<digest>: the error page's texts in that language, chosen by readiness: "temporarily
// unavailable" when the database or the directory is down, else "something went wrong" (lib/i18n/error-page-texts.ts).
// The reference is repeated only when it has the form of a request id. Never cached: readiness changes. Anyone can ask,
// so readiness is the server's answer cached for 2 s (the one its 503 page uses), not a database query and directory
// bind per request; outside the portal's server (tests) the check itself.
import { hasLocale } from "next-intl";
import { getTranslations } from "next-intl/server";
import { checkReadiness } from "@/lib/health";
import { serverBridge } from "@/lib/server-bridge";
import { ERROR_REFERENCE, type ErrorPageTexts } from "@/lib/i18n/error-page-texts";
import { routing } from "@/lib/i18n/routing";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const lang = params.get("lang");
  const locale = hasLocale(routing.locales, lang) ? lang : routing.defaultLocale;
  const ref = params.get("ref");
  const t = await getTranslations({ locale, namespace: "ErrorPage" });
  const cached = serverBridge().dependenciesDown;
  const ready = cached ? (await cached()).length === 0 : (await checkReadiness()).ready;
  const texts: ErrorPageTexts = {
    unavailable: !ready,
    title: ready ? t("title") : t("unavailableTitle"),
    body: ready ? t("body") : t("unavailableBody"),
    reference: ref && ERROR_REFERENCE.test(ref) ? t("reference", { id: ref }) : null,
    retry: t("retry"),
    home: t("home"),
  };
  return Response.json(texts, { headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } });
}
