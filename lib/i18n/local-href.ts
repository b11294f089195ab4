// The address of a portal page in a language, for plain links in client components: "/nl" for "/", "/en/help" for
// "/help" (every address carries its language: localePrefix "always" in ./routing.ts). Client components link with a
// plain <a>, as server components do (./server-link.tsx), so no page loads next-intl's client navigation for a link;
// the proxy's next-intl middleware keeps the language cookie in step when the page is requested.
import type { AppLocale } from "./routing";

export function localHref(locale: AppLocale | string, path: string): string {
  return path === "/" ? `/${locale}` : `/${locale}${path}`;
}

/** The same page in another language: the current path with its language segment replaced. */
export function otherLanguageHref(pathname: string, locale: AppLocale | string): string {
  return localHref(locale, pathname.replace(/^\/[^/]+/, "") || "/");
}
