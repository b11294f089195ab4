// Pure rules of the admin area: session timeouts, who is refused and why, and which return addresses are safe.

export type SessionPolicy = { idleMinutes: number; sessionHours: number };
export type SessionTimes = { signedInAt: Date; lastSeenAt: Date };
export type SessionExpiry = "idle" | "absolute";

/** Why a session is over at `now`, or null while it is still good; the absolute limit wins when both apply. */
export function sessionExpiry(s: SessionTimes, now: Date, policy: SessionPolicy): SessionExpiry | null {
  if (now.getTime() >= s.signedInAt.getTime() + policy.sessionHours * 3_600_000) return "absolute";
  if (now.getTime() >= s.lastSeenAt.getTime() + policy.idleMinutes * 60_000) return "idle";
  return null;
}

/** What the admin cookie amounts to: no session, one that ended (timed out, signed out, replaced), or a live one. */
export type AdminSessionState = "none" | "ended" | "not-admin" | "active";
export type RefusalReason = "anonymous" | "expired" | "not_admin";
export type AccessDecision = { kind: "allow" } | { kind: "refuse"; reason: RefusalReason };

/**
 * Only a live admin session gets in. Someone signed in to the portal as an ordinary user (or whose admin role was
 * withdrawn) is refused as not_admin (403); everyone else is sent to the admin sign-in.
 */
export function decideAccess(session: AdminSessionState, ordinaryUserSignedIn: boolean): AccessDecision {
  if (session === "active") return { kind: "allow" };
  if (session === "not-admin" || ordinaryUserSignedIn) return { kind: "refuse", reason: "not_admin" };
  return { kind: "refuse", reason: session === "ended" ? "expired" : "anonymous" };
}

/**
 * A return address after sign-in: only a path inside the admin area of this site ("/admin…", query allowed), never
 * another host, a protocol-relative "//…" or a backslash trick. Anything else gives null (go to the admin home).
 */
export function safeAdminPath(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 512 || !raw.startsWith("/admin") || /[\\\s]/.test(raw) || raw.startsWith("//")) return null;
  let url: URL;
  try {
    url = new URL(raw, "http://portal.invalid");
  } catch {
    return null;
  }
  if (url.origin !== "http://portal.invalid") return null;
  if (url.pathname !== "/admin" && !url.pathname.startsWith("/admin/")) return null;
  if (url.pathname.startsWith("/admin/sign-in")) return null;
  return url.pathname + url.search;
}
