// The signed-in user's session cookie: a sealed iron-session cookie carrying only the random token of a session kept on
// the server (lib/auth/sessions.ts), which decides whether it still signs anyone in.
import "server-only";
import { getIronSession, type SessionOptions } from "iron-session";
import { cookies } from "next/headers";
import type { Account } from "@/lib/accounts/types";
import { getConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { loadUserSession } from "./sessions";

export type UserSessionData = { token?: string };

/** Cookie names carry the __Host- prefix whenever cookies are Secure (the prefix requires it). */
export function cookieName(base: string): string {
  return getConfig().cookieSecure ? `__Host-${base}` : base;
}

export function sessionPasswords(): Record<number, string> {
  const secrets = getConfig().sessionSecrets;
  // The first secret seals new cookies (highest id); the others still open older ones.
  return Object.fromEntries(secrets.map((s, i) => [secrets.length - i, s]));
}

/** HttpOnly, SameSite=Lax, Secure unless COOKIE_SECURE=false; shared by every cookie the portal seals. */
export function sealedCookieOptions() {
  return { secure: getConfig().cookieSecure, httpOnly: true, sameSite: "lax" as const, path: "/" };
}

function userSessionOptions(): SessionOptions {
  const config = getConfig();
  return {
    cookieName: cookieName("toegang-session"),
    password: sessionPasswords(),
    ttl: config.userSessionHours * 3600,
    cookieOptions: sealedCookieOptions(),
  };
}

export async function getUserSession() {
  return getIronSession<UserSessionData>(await cookies(), userSessionOptions());
}

/** The account signed in with this request's cookie, or null (no cookie, or its session ended). */
export async function currentAccount(db: Db): Promise<{ account: Account | null; hadCookie: boolean }> {
  const session = await getUserSession();
  const live = await loadUserSession(db, session.token);
  return { account: live?.account ?? null, hadCookie: Boolean(session.token) };
}
