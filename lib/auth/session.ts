// The signed-in user's session: a sealed iron-session cookie that ends when the user's session version changes.
import "server-only";
import { getIronSession, type SessionOptions } from "iron-session";
import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";

export type UserSessionData = { userId: string; sessionVersion: number; signedInAt: number };

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
