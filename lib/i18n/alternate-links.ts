// The `Link` header that names a page's other languages for search engines, built from BASE_URL (the portal's public
// address), never from the request's Host or X-Forwarded-* headers, which a client can set to anything.
import { routing } from "./routing";

const localised = new RegExp(`^/(?:${routing.locales.join("|")})(/.*)?$`);

/** `<base/nl/x>; rel="alternate"; hreflang="nl", …, <base/x>; …"x-default"` for a localised page path, else null. */
export function alternateLinks(baseUrl: string, pathname: string): string | null {
  const match = localised.exec(pathname);
  if (!match) return null;
  const rest = (match[1] ?? "").replace(/\/+$/, "");
  const base = new URL(baseUrl);
  const at = (path: string) => new URL(path, base).toString();
  const entry = (path: string, hreflang: string) => `<${at(path)}>; rel="alternate"; hreflang="${hreflang}"`;
  return [...routing.locales.map((l) => entry(`/${l}${rest}`, l)), entry(rest || "/", "x-default")].join(", ");
}
