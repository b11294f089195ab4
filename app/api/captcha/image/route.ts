// GET /api/captcha/image?t=<token>: the built-in CAPTCHA's picture as a PNG, limited per IP (404 when the token is invalid or expired).
import type { NextRequest } from "next/server";
import { challengeImage } from "@/lib/captcha/builtin";
import { limitMedia, mediaNotFound, mediaResponse } from "@/lib/captcha/media-response";

export async function GET(request: NextRequest): Promise<Response> {
  const limited = await limitMedia(request, "image");
  if (limited) return limited;
  const png = await challengeImage(request.nextUrl.searchParams.get("t") ?? "");
  return png ? mediaResponse(png, "image/png") : mediaNotFound();
}
