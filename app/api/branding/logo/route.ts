// The organisation's logo (ORG_LOGO), read once at start: cached by browsers for a day (the page links it with its
// ETag as a version, so a new logo shows after a restart) and never run as a document (an SVG's scripts stay inert).
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export function GET(request: Request): Response {
  const logo = getConfig().branding.logo;
  if (!logo) return new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const headers = {
    "Content-Type": logo.contentType,
    "Cache-Control": "public, max-age=86400",
    ETag: logo.etag,
    "X-Content-Type-Options": "nosniff",
    // Opened on its own, an SVG is a document: no scripts, no requests, no frames.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  };
  if (request.headers.get("if-none-match") === logo.etag) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(logo.bytes), { headers });
}
