// Who is asking, as one value: client IP, user agent, locale and request id of the current request, for audit rows,
// rate limits and log lines. The client IP comes from clientIpFrom (./client-ip.ts) and nowhere else.
import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { getLocale } from "next-intl/server";
import { getConfig } from "@/lib/config";
import { PEER_HEADER, clientIpFrom, isLoopback } from "./client-ip";

export type RequestContext = { ip: string | null; userAgent: string | null; locale: string; requestId: string };

type HeaderSource = Pick<Headers, "get">;

/** The custom server sets x-request-id (after deleting any client-sent copy); under `next dev` there is none, so make one. */
export function requestIdFrom(header: string | null): string {
  return header && /^[\w.-]{1,64}$/.test(header) ? header : randomUUID();
}

/** The client's IP of a request (route handlers pass request.headers): the TCP peer, or what trusted proxies say. */
export function clientIpOf(h: HeaderSource): string | null {
  return clientIpFrom(h.get(PEER_HEADER), h.get("x-forwarded-for"), getConfig().trustedProxies);
}

/**
 * Whether a request comes from this machine: the TCP peer is loopback, and so is the client a trusted proxy on this
 * machine forwarded (a proxy on loopback forwarding someone from the network does not make them local). Decides
 * access to the development pages; a forged X-Forwarded-For can only make a request less local, never more.
 */
export function fromThisMachine(h: HeaderSource): boolean {
  return isLoopback(h.get(PEER_HEADER)) && isLoopback(clientIpOf(h));
}

/** fromThisMachine for the request being handled (a server action or a page), for what only this machine may use. */
export async function requestFromThisMachine(): Promise<boolean> {
  return fromThisMachine(await headers());
}

export async function getRequestContext(): Promise<RequestContext> {
  const h = await headers();
  const userAgent = h.get("user-agent")?.slice(0, 512) ?? null;
  return { ip: clientIpOf(h), userAgent, locale: await getLocale(), requestId: requestIdFrom(h.get("x-request-id")) };
}
