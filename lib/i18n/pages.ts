// Every page under /nl and /en, so the proxy can answer 404 for any other address before the page renders (a page
// cannot set its own status, and notFound() in the catch-all would leave browsers without JavaScript a blank page).
// lib/i18n/pages.test.ts compares this list with app/[locale]/**/page.tsx: a new page must be added here.

/** Paths after the locale; a [segment] matches one path segment. "" is the locale's own page (sign-in). */
export const LOCALISED_PAGES = [
  "",
  "/help",
  "/home",
  "/home/recovery-details",
  "/recover",
  "/recover/reason",
  "/recover/verify",
  "/recover/code",
  "/recover/password",
  "/recover/done",
  "/recover/ended",
  "/recover/contact",
  "/admin",
  "/admin/accounts",
  "/admin/audit",
  "/admin/audit/flows/[flowId]",
  "/admin/forbidden",
  "/admin/sign-in",
  "/admin/sign-in/code",
  "/unavailable",
] as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|\\]/g, "\\$&");
const patterns = LOCALISED_PAGES.map((page) => {
  const source = page
    .split("/")
    .map((segment) => (/^\[[^\]/.]+\]$/.test(segment) ? "[^/]+" : escape(segment)))
    .join("/");
  return new RegExp(`^${source}$`);
});

/**
 * Whether an address is under a locale (/nl, /en, …) but names no page there. Addresses without a locale are not
 * judged here (the locale routing redirects them first).
 */
export function isUnknownLocalisedPage(pathname: string, locales: readonly string[]): boolean {
  const [, first, ...rest] = pathname.split("/");
  if (!first || !locales.includes(first)) return false;
  const path = rest.length ? `/${rest.join("/")}`.replace(/\/+$/, "") : "";
  return !patterns.some((p) => p.test(path));
}
