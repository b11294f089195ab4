// GET /dev/message-events?since=<ISO time>: the messaging audit events as JSON, for the providers e2e suite; 404 unless
// the portal runs in test mode and the request comes from this machine.
import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { messageEventsAllowed, messageEventsSince } from "@/lib/messaging/message-events";
import { fromThisMachine } from "@/lib/security/request-context";

export async function GET(request: NextRequest): Promise<Response> {
  const config = getConfig();
  if (!messageEventsAllowed(config, fromThisMachine(request.headers))) {
    return new Response("Not found", { status: 404 });
  }
  const since = new Date(request.nextUrl.searchParams.get("since") ?? 0);
  // A time PostgreSQL can compare (JavaScript also reads years like -271821, which the database refuses).
  const year = since.getUTCFullYear();
  if (Number.isNaN(since.getTime()) || year < 1970 || year > 9999) return new Response("since must be a time", { status: 400 });
  return Response.json(await messageEventsSince(await getDb(), since));
}
