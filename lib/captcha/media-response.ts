// HTTP responses for the CAPTCHA media routes: never cached or sniffed, nothing about the answer outside the media
// itself, byte ranges for the audio player, and the per-IP limit in front of it all.
import "server-only";
import { getConfig, type AppConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { hitLimit, type Limit } from "@/lib/limits/rate-limit";
import { staticSecurityHeaders } from "@/lib/security/headers";
import { clientIpOf } from "@/lib/security/request-context";
import { challengeImage } from "./builtin";

const common = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** Media requests per IP per hour, counted in the database like every other limit. */
export const mediaLimits = {
  image: (c: AppConfig): Limit => ({ name: "captcha-image:ip", max: c.limits.captchaImagesPerIpPerHour, windowSeconds: 3_600 }),
  audio: (c: AppConfig): Limit => ({ name: "captcha-audio:ip", max: c.limits.captchaAudioPerIpPerHour, windowSeconds: 3_600 }),
};

/** A media answer as plain values: what the portal's server writes as it is, and a route handler as a Response. */
type Answer = { status: number; headers: Record<string, string>; body: Buffer };

const asResponse = ({ status, headers, body }: Answer): Response => new Response(new Uint8Array(body), { status, headers });

/** Counts this request against its IP's limit; a 429 with Retry-After when it is over. */
async function mediaLimited(headers: Pick<Headers, "get">, kind: keyof typeof mediaLimits): Promise<Answer | null> {
  const config = getConfig();
  const ip = clientIpOf(headers) ?? "unknown";
  const hit = await hitLimit(await getDb(), mediaLimits[kind](config), ip);
  if (hit.allowed) return null;
  const seconds = Math.max(1, Math.ceil((hit.retryAt.getTime() - Date.now()) / 1000));
  return {
    status: 429,
    headers: { ...common, "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(seconds) },
    body: Buffer.from("Too many requests\n"),
  };
}

/** Counts this request against its IP's limit; a 429 with Retry-After when it is over. */
export async function limitMedia(headers: Pick<Headers, "get">, kind: keyof typeof mediaLimits): Promise<Response | null> {
  const limited = await mediaLimited(headers, kind);
  return limited && asResponse(limited);
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within size, or null (whole body) / "unsatisfiable". */
function parseRange(header: string | null, size: number): [number, number] | null | "unsatisfiable" {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? "unsatisfiable" : [start, end];
}

/**
 * The rendered media; a neutral file name so "save as" or a player's title shows nothing of the answer. A single byte
 * range is answered with 206 (the audio player asks for ranges to seek and replay); anything else gets the whole body.
 */
function mediaAnswer(body: Buffer, contentType: string, fileName?: string, range: string | null = null): Answer {
  const headers: Record<string, string> = { ...common, "Content-Type": contentType, "Accept-Ranges": "bytes" };
  if (fileName) headers["Content-Disposition"] = `inline; filename="${fileName}"`;
  const wanted = parseRange(range, body.length);
  if (wanted === "unsatisfiable") {
    return { status: 416, headers: { ...common, "Content-Range": `bytes */${body.length}` }, body: Buffer.alloc(0) };
  }
  if (wanted) {
    const [start, end] = wanted;
    headers["Content-Range"] = `bytes ${start}-${end}/${body.length}`;
    headers["Content-Length"] = String(end - start + 1);
    return { status: 206, headers, body: body.subarray(start, end + 1) };
  }
  headers["Content-Length"] = String(body.length);
  return { status: 200, headers, body };
}

/** mediaAnswer as a Response, for the route handlers. */
export function mediaResponse(body: Buffer, contentType: string, fileName?: string, range: string | null = null): Response {
  return asResponse(mediaAnswer(body, contentType, fileName, range));
}

const notFound = (): Answer => ({
  status: 404,
  headers: { ...common, "Content-Type": "text/plain; charset=utf-8" },
  body: Buffer.from("Not found\n"),
});

/** The same plain 404 for a missing, tampered, expired or otherwise invalid token. */
export function mediaNotFound(): Response {
  return asResponse(notFound());
}

/**
 * GET /api/captcha/image?t=<token>[&x=2]: the picture as a PNG (x=2: twice the pixels each way, for high-density
 * screens), limited per IP; 404 when the token is invalid or expired. The route handler answers with it under
 * `next dev` and a bare `next start`; the portal's server answers it itself, ahead of Next's routing
 * (captchaImageFastRoute below), since a page asks for one picture per challenge and the routing would cost more than
 * the picture.
 */
export async function captchaImageAnswer(params: URLSearchParams, headers: Pick<Headers, "get">): Promise<Response> {
  return asResponse(await captchaImage(params, headers));
}

async function captchaImage(params: URLSearchParams, headers: Pick<Headers, "get">): Promise<Answer> {
  const limited = await mediaLimited(headers, "image");
  if (limited) return limited;
  const ratio = params.get("x") === "2" ? 2 : 1;
  const png = await challengeImage(params.get("t") ?? "", undefined, ratio);
  return png ? mediaAnswer(png, "image/png") : notFound();
}

/** What the proxy adds to every answer that goes through Next, for an answer that does not: nothing in it runs or frames. */
const fastRouteHeaders = { ...staticSecurityHeaders, "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'" };

/**
 * captchaImageAnswer for the portal's server (server/main.mjs, through lib/server-bridge.ts): the query string and a
 * header getter in, status, headers and body out, with no Response made and read back in between.
 */
export async function captchaImageFastRoute(search: string, header: (name: string) => string | null): Promise<Answer> {
  const answer = await captchaImage(new URLSearchParams(search), { get: header });
  return { ...answer, headers: { ...fastRouteHeaders, ...answer.headers } };
}
