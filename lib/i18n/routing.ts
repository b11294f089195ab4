// Locales and URL shape: Dutch by default, English on request; the prefix is always present so every URL names its language.
import { defineRouting } from "next-intl/routing";

/** The language cookie (the proxy sets `secure` from COOKIE_SECURE on the server side). */
export const LOCALE_COOKIE = { name: "NEXT_LOCALE", maxAge: 60 * 60 * 24 * 365, sameSite: "lax" } as const;

export const routing = defineRouting({
  locales: ["nl", "en"],
  defaultLocale: "nl",
  localePrefix: "always",
  // The proxy sets the cookie (with Secure from COOKIE_SECURE, proxy.ts); links are plain anchors (./local-href.ts,
  // ./server-link.tsx), so nothing writes it in the browser. Secure here for any client navigation that would.
  localeCookie: { ...LOCALE_COOKIE, secure: true },
  // The Link header is built by the proxy from BASE_URL (lib/i18n/alternate-links.ts), not from the request's Host.
  alternateLinks: false,
});

export type AppLocale = (typeof routing.locales)[number];
