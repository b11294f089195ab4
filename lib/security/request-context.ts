// Who is asking: client IP, user agent and locale of the current request, for audit rows and rate limits.
import "server-only";
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";
import { getConfig } from "@/lib/config";
import { clientIp } from "./client-ip";

export type RequestContext = { ip: string | null; userAgent: string | null; locale: string };

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const ip = clientIp(h.get("x-forwarded-for"), getConfig().trustedProxyHops);
  const userAgent = h.get("user-agent")?.slice(0, 512) ?? null;
  return { ip, userAgent, locale: await getLocale() };
}
