// GET /dev/captcha-transcript?t=<token>&lang=nl|en: the clips the challenge's audio strings together, in order, as JSON —
// for browser tests that cannot listen. 404 unless the portal runs in test mode (CAPTCHA_TEST_ANSWER) and the request
// comes from this machine.
import type { NextRequest } from "next/server";
import { challengeTranscript } from "@/lib/captcha/builtin";
import { getConfig } from "@/lib/config";
import { messageEventsAllowed } from "@/lib/messaging/message-events";
import { fromThisMachine } from "@/lib/security/request-context";

export async function GET(request: NextRequest): Promise<Response> {
  const config = getConfig();
  // The same gate as the other test-only routes: test mode, and this machine only.
  if (!messageEventsAllowed(config, fromThisMachine(request.headers))) {
    return new Response("Not found", { status: 404 });
  }
  const params = request.nextUrl.searchParams;
  const spoken = await challengeTranscript(params.get("t") ?? "", params.get("lang") === "en" ? "en" : "nl");
  return spoken ? Response.json({ spoken }, { headers: { "Cache-Control": "no-store" } }) : new Response("Not found", { status: 404 });
}
