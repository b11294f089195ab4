// Request routing only: refuses cross-site writes, picks the locale (next-intl), and sets CSP and security headers.
// Authorisation is never decided here; pages, actions and route handlers check it themselves.
import { NextRequest, NextResponse } from "next/server";
import createMiddleware from "next-intl/middleware";
import { getConfig } from "@/lib/config";
import { alternateLinks } from "@/lib/i18n/alternate-links";
import { isUnknownLocalisedPage } from "@/lib/i18n/pages";
import { LOCALE_COOKIE, routing } from "@/lib/i18n/routing";
import { ACTION_BODY_TOO_LARGE, malformedActionRequest } from "@/lib/security/action-request";
import { buildCsp, hcaptchaCspSources, isCrossSiteWrite, staticSecurityHeaders } from "@/lib/security/headers";

/** next-intl's routing, with the locale cookie Secure exactly when the portal's own cookies are (COOKIE_SECURE). */
let i18nRouting: ReturnType<typeof createMiddleware> | undefined;
function handleI18nRouting(request: NextRequest) {
  const { cookieSecure } = getConfig();
  i18nRouting ??= createMiddleware({ ...routing, localeCookie: { ...LOCALE_COOKIE, secure: cookieSecure } });
  return i18nRouting(request);
}
const adminForbiddenPage = /^\/(?:nl|en)\/admin\/forbidden\/?$/;
const unavailablePage = /^\/(?:nl|en)\/unavailable\/?$/;

export async function proxy(request: NextRequest) {
  const crossSite = isCrossSiteWrite({
    method: request.method,
    origin: request.headers.get("origin"),
    secFetchSite: request.headers.get("sec-fetch-site"),
    host: request.headers.get("x-forwarded-host") ?? request.headers.get("host"),
  });
  if (crossSite) {
    return new NextResponse("Cross-site request refused", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }

  // A server action request Next could not decode, or one over its body limit, would end in a 500 inside Next; it gets
  // a 400 (or 413) here instead.
  const { pathname: path } = request.nextUrl;
  // Every POST but the route handlers' under /api (they read their own bodies): pages under /dev (the outbox) decode
  // actions like any other page.
  if (request.method === "POST" && !path.startsWith("/api/")) {
    const malformed = await malformedActionRequest(request);
    if (malformed) {
      const status = malformed === ACTION_BODY_TOO_LARGE ? 413 : 400;
      return new NextResponse(`Bad request: ${malformed}`, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = buildCsp(nonce, { dev: process.env.NODE_ENV === "development", ...hcaptchaCspSources(getConfig().hcaptcha?.scriptUrl) });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  // Never trust a client-sent subrequest marker (CVE-2025-29927 class).
  requestHeaders.delete("x-middleware-subrequest");

  const { pathname } = request.nextUrl;
  const localised = !pathname.startsWith("/api/") && !pathname.startsWith("/dev/");
  const routed = localised
    ? handleI18nRouting(new NextRequest(request, { headers: requestHeaders }))
    : NextResponse.next({ request: { headers: requestHeaders } });
  // A page cannot set its status: the admin "no access" page gets its 403 here, the "cannot reach the account service"
  // page its 503. Who is sent there is decided by the pages and actions themselves (lib/admin/guard.ts,
  // lib/errors/unavailable.ts), never by this proxy. An address under a locale that names no page gets its 404 here
  // too: the catch-all renders the not-found page (lib/i18n/pages.ts lists the pages).
  const status = adminForbiddenPage.test(pathname)
    ? 403
    : unavailablePage.test(pathname)
      ? 503
      : localised && isUnknownLocalisedPage(pathname, routing.locales)
        ? 404
        : null;
  const response = status ? new NextResponse(null, { status, headers: routed.headers }) : routed;
  if (status === 503) response.headers.set("Retry-After", "120");

  const links = localised && response.status === 200 ? alternateLinks(getConfig().baseUrl, pathname) : null;
  if (links) response.headers.set("Link", links);
  response.headers.set("Content-Security-Policy", csp);
  for (const [name, value] of Object.entries(staticSecurityHeaders)) response.headers.set(name, value);
  response.headers.set("Cache-Control", "no-store, max-age=0");
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
