// Who is asking, as one value: client IP, user agent, locale and request id of the current request, for audit rows,
// rate limits and log lines.
import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";
import { getConfig } from "@/lib/config";
import { clientIp } from "./client-ip";

export type RequestContext = { ip: string | null; userAgent: string | null; locale: string; requestId: string };

/** The custom server sets x-request-id (after deleting any client-sent copy); under `next dev` there is none, so make one. */
export function requestIdFrom(header: string | null): string {
  return header && /^[\w.-]{1,64}$/.test(header) ? header : randomUUID();
}

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const ip = clientIp(h.get("x-forwarded-for"), getConfig().trustedProxyHops);
  const userAgent = h.get("user-agent")?.slice(0, 512) ?? null;
  return { ip, userAgent, locale: await getLocale(), requestId: requestIdFrom(h.get("x-request-id")) };
}
