// GET/POST /api/messagebird/reports: MessageBird's delivery status reports, verified and recorded as audit events.
// Not behind any session: the Signature-JWT (checked in lib/messaging/delivery-reports.ts) is the authorisation.
import type { NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { MAX_REPORT_BYTES, receiveDeliveryReport } from "@/lib/messaging/delivery-reports";
import { clientIpOf } from "@/lib/security/request-context";

const plain = (status: number, text: string) => new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

async function handle(request: NextRequest): Promise<Response> {
  const config = getConfig();
  if (Number(request.headers.get("content-length") ?? 0) > MAX_REPORT_BYTES) return plain(413, "Too large");
  const body = Buffer.from(await request.arrayBuffer());
  if (body.length > MAX_REPORT_BYTES) return plain(413, "Too large");
  const called = new URL(request.url);
  const answer = await receiveDeliveryReport(
    await getDb(),
    {
      method: request.method,
      // The token signs the URL MessageBird called: the public address, never this request's Host header.
      url: `${config.baseUrl}${called.pathname}${called.search}`,
      body,
      contentType: request.headers.get("content-type"),
      signature: request.headers.get("messagebird-signature-jwt"),
      ip: clientIpOf(request.headers),
      userAgent: request.headers.get("user-agent")?.slice(0, 512) ?? null,
    },
    config.smsProvider === "messagebird" ? config.messagebird?.signingKey : undefined,
  );
  return plain(answer.status, answer.text);
}

export const GET = handle;
export const POST = handle;
