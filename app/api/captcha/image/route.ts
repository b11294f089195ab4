// GET /api/captcha/image?t=<token>[&x=2]: the built-in CAPTCHA's picture (lib/captcha/media-response.ts). The portal's
// server answers this address ahead of Next (lib/startup.ts); this handler serves `next dev` and a bare `next start`.
import type { NextRequest } from "next/server";
import { captchaImageAnswer } from "@/lib/captcha/media-response";

export async function GET(request: NextRequest): Promise<Response> {
  return captchaImageAnswer(request.nextUrl.searchParams, request.headers);
}
