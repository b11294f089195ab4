// GET /api/captcha/image?t=<token>[&x=2]: the built-in CAPTCHA's picture as a PNG (x=2: twice the pixels each way, for
// high-density screens), limited per IP (404 when the token is invalid or expired).
import type { NextRequest } from "next/server";
import { challengeImage } from "@/lib/captcha/builtin";
import { limitMedia, mediaNotFound, mediaResponse } from "@/lib/captcha/media-response";

export async function GET(request: NextRequest): Promise<Response> {
  const limited = await limitMedia(request, "image");
  if (limited) return limited;
  const ratio = request.nextUrl.searchParams.get("x") === "2" ? 2 : 1;
  const png = await challengeImage(request.nextUrl.searchParams.get("t") ?? "", undefined, ratio);
  return png ? mediaResponse(png, "image/png") : mediaNotFound();
}
