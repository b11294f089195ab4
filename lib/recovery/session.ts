// The wizard's cookie: a sealed iron-session holding the flow's random token (everything else lives in the database)
// and the mobile number this browser typed last, so "Ander nummer of andere methode kiezen" shows it again for a
// correction. The number is the user's own typing, sealed and HttpOnly, gone with the flow; the server never stores it.
import "server-only";
import { getIronSession } from "iron-session";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { cookieName, sealedCookieOptions, sessionPasswords } from "@/lib/auth/session";

type FlowCookie = { token: string; phone?: string };

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

/** The mobile number this browser typed last in its flow (for the verify page's field), or "". */
export async function lastTypedPhone(): Promise<string> {
  return (await getFlowCookie()).phone ?? "";
}
