// GET /api/captcha/audio?t=<token>&lang=nl|en: the built-in CAPTCHA spoken as a WAV for the page's <audio> player (byte
// ranges supported), limited per IP; 404 when the token is invalid or expired.
import type { NextRequest } from "next/server";
import { challengeAudio } from "@/lib/captcha/builtin";
import { limitMedia, mediaNotFound, mediaResponse } from "@/lib/captcha/media-response";

export async function GET(request: NextRequest): Promise<Response> {
  const limited = await limitMedia(request.headers, "audio");
  if (limited) return limited;
  const params = request.nextUrl.searchParams;
  // Dutch is the portal's default language; anything but "en" gets it.
  const locale = params.get("lang") === "en" ? "en" : "nl";
  const wav = await challengeAudio(params.get("t") ?? "", locale);
  return wav ? mediaResponse(wav, "audio/wav", "captcha.wav", request.headers.get("range")) : mediaNotFound();
}
