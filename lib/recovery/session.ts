// The wizard's cookie: a sealed iron-session holding only the flow's random token; everything else lives in the database.
import "server-only";
import { getIronSession } from "iron-session";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { cookieName, sealedCookieOptions, sessionPasswords } from "@/lib/auth/session";

type FlowCookie = { token: string };

export async function getFlowCookie() {
  const config = getConfig();
  return getIronSession<FlowCookie>(await cookies(), {
    cookieName: cookieName("toegang-flow"),
    password: sessionPasswords(),
    ttl: (config.recovery.flowTtlMinutes + 5) * 60,
    cookieOptions: sealedCookieOptions(),
  });
}

/** The token of the flow this browser is in, or null. */
export async function currentFlowToken(): Promise<string | null> {
  return (await getFlowCookie()).token ?? null;
}
