// Who is asking: client IP, user agent and locale of the current request, for audit rows and rate limits.
import "server-only";
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";

export type RequestContext = { ip: string | null; userAgent: string | null; locale: string };

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || h.get("x-real-ip") || null;
  const userAgent = h.get("user-agent")?.slice(0, 512) ?? null;
  return { ip, userAgent, locale: await getLocale() };
}
