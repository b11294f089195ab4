// Access checks for every admin page, server action and route handler: only a live admin session gets in, every
// refusal is audited (admin.access_refused: anonymous | expired | not_admin, with the path). proxy.ts decides nothing here.
//
// Auditing what an administrator looks at: call auditAdminView(identity, "admin.<noun>_viewed" | "admin.<noun>_exported",
// details) after the guard let them in; it records the administrator as the actor with this request's IP, browser and locale.
import "server-only";
import { cookies } from "next/headers";
import { getLocale } from "next-intl/server";
import { currentAccount } from "@/lib/auth/session";
import { getDb, type Db } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { redirect } from "@/lib/i18n/navigation";
import { routing, type AppLocale } from "@/lib/i18n/routing";
import { recordAuditThrottled } from "@/lib/audit/throttled";
import { getRequestContext } from "@/lib/security/request-context";
import { decideAccess, type RefusalReason } from "./rules";
import type { AuditEventIn } from "@/lib/audit/events";
import { adminAuditEvent, auditAdmin, checkAdminSession, getAdminCookie, type AdminAudit, type AdminIdentity } from "./session";

export type { AdminIdentity } from "./session";

type Outcome = { kind: "allow"; identity: AdminIdentity } | { kind: "refuse"; reason: RefusalReason };

/** Someone signed in to the portal itself (the Werkplek) who is not an administrator. */
async function ordinaryUser(db: Db): Promise<string | null> {
  const { account: user } = await currentAccount(db);
  return user && !user.isAdmin ? user.id : null;
}

async function check(path: string): Promise<Outcome> {
  const db = await getDb();
  const ctx = { context: await getRequestContext() };
  const during = `admin:${path.split("?")[0]!.slice(0, 200)}`;
  const session = await orUnavailable({ during }, async () => checkAdminSession(db, (await getAdminCookie()).token, ctx));
  if (session.kind === "active") return { kind: "allow", identity: session.identity };
  const ordinary = session.kind === "not-admin" ? session.userId : await orUnavailable({ during }, () => ordinaryUser(db));
  const decision = decideAccess(session.kind, ordinary !== null);
  if (decision.kind === "allow") throw new Error("unreachable: only an active session is allowed");
  // Only the path: a query string can hold what an administrator typed (a user ID to look up, the audit filters).
  const refusal: AdminAudit = {
    event: "admin.access_refused",
    outcome: "refused",
    reason: decision.reason,
    userId: ordinary,
    details: { path: path.split("?")[0]!.slice(0, 200) },
  };
  // Anyone can be refused as anonymous, as often as they like: those rows are throttled per IP.
  if (decision.reason === "anonymous") {
    await recordAuditThrottled(db, adminAuditEvent({ context: ctx.context }, refusal));
  } else {
    await auditAdmin(db, ctx, refusal);
  }
  return decision;
}

/** Server components: anonymous or expired → the admin sign-in (coming back to `path` afterwards); not an administrator → the 403 page. */
export async function requireAdminPage(locale: string, path = "/admin"): Promise<AdminIdentity> {
  const outcome = await check(path);
  if (outcome.kind === "allow") return outcome.identity;
  return refuse(outcome.reason, appLocale(locale), path);
}

/**
 * Server actions (treated as public endpoints): the same refusals as pages, as redirects — 303 for a plain form post, a
 * client-side redirect with JavaScript — so the action does nothing and the visitor lands where a page visit would.
 */
export async function requireAdminAction(name = "action"): Promise<AdminIdentity> {
  const outcome = await check(`action:${name}`);
  if (outcome.kind === "allow") return outcome.identity;
  return refuse(outcome.reason, appLocale(await getLocale()), null);
}

/** Route handlers: anonymous or expired → 303 to the admin sign-in; not an administrator → a plain 403. */
export async function requireAdminRoute(request: Request): Promise<AdminIdentity | Response> {
  const outcome = await check(new URL(request.url).pathname);
  if (outcome.kind === "allow") return outcome.identity;
  if (outcome.reason === "not_admin") {
    return new Response("403 Forbidden: administrators only.\n", {
      status: 403,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  // A relative Location: never built from the request's Host header.
  const locale = await routeLocale();
  return new Response(null, {
    status: 303,
    headers: { Location: `/${locale}/admin/sign-in${outcome.reason === "expired" ? "?expired=1" : ""}`, "Cache-Control": "no-store" },
  });
}

/** Records that an administrator looked at or exported something; the administrator is the actor. */
export async function auditAdminView(
  identity: AdminIdentity,
  event: AuditEventIn<"admin">,
  details?: Record<string, string | number | boolean | null>,
): Promise<void> {
  const db = await getDb();
  await auditAdmin(db, { context: await getRequestContext() }, { event, outcome: "success", userId: identity.userId, details });
}

function refuse(reason: RefusalReason, locale: AppLocale, next: string | null): never {
  if (reason === "not_admin") return redirect({ href: "/admin/forbidden", locale });
  const query: Record<string, string> = {};
  if (next?.startsWith("/admin")) query.next = next;
  if (reason === "expired") query.expired = "1";
  return redirect({ href: Object.keys(query).length ? { pathname: "/admin/sign-in", query } : "/admin/sign-in", locale });
}

const appLocale = (chosen: string | undefined): AppLocale => routing.locales.find((l) => l === chosen) ?? routing.defaultLocale;

/** Route handlers live outside the locale segment: the visitor's language cookie, else the default. */
async function routeLocale(): Promise<AppLocale> {
  return appLocale((await cookies()).get("NEXT_LOCALE")?.value);
}
