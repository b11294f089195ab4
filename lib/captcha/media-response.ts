// HTTP responses for the CAPTCHA media routes: never cached or sniffed, and nothing about the answer outside the media itself.
import "server-only";

const common = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** The rendered media; a neutral file name so "save as" or a player's title shows nothing of the answer. */
export function mediaResponse(body: Buffer, contentType: string, fileName?: string): Response {
  const headers: Record<string, string> = { ...common, "Content-Type": contentType, "Content-Length": String(body.length) };
  if (fileName) headers["Content-Disposition"] = `inline; filename="${fileName}"`;
  return new Response(new Uint8Array(body), { status: 200, headers });
}

/** The same plain 404 for a missing, tampered, expired or otherwise invalid token. */
export function mediaNotFound(): Response {
  return new Response("Not found\n", { status: 404, headers: { ...common, "Content-Type": "text/plain; charset=utf-8" } });
}
