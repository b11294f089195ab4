// When the account store (a directory) cannot be reached or does not answer in time: the request records it in the
// audit trail and the browser goes to the "cannot reach the account service now" page (status 503, proxy.ts). The store
// changed nothing (AccountStoreUnavailable says so), the flow stays where it was, so trying again later just works.
import "server-only";
import { getLocale } from "next-intl/server";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { recordAudit } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";

/** What the audit row says about where it happened: the page or action, and the flow or account when known. */
export type UnavailableAt = { during: string; flowId?: string | null; userId?: string | null };

/**
 * Runs `fn`; an AccountStoreUnavailable becomes an audit row (account.store_unavailable) and a redirect to the 503 page
 * (303 after a form post, a client-side redirect with JavaScript). Any other error, and Next's own redirects, pass on.
 */
export async function orUnavailable<T>(at: UnavailableAt | (() => UnavailableAt), fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof AccountStoreUnavailable)) throw error;
    return toUnavailablePage(error, typeof at === "function" ? at() : at);
  }
}

/** Records the outage and sends the browser to the 503 page. */
export async function toUnavailablePage(error: AccountStoreUnavailable, at: UnavailableAt): Promise<never> {
  const context = await getRequestContext();
  const replaced = error.previousPasswordReplaced;
  console.error(`account store unavailable during ${at.during} [${context.requestId}]: ${error.message}`);
  try {
    await recordAudit(await getDb(), {
      event: "account.store_unavailable",
      outcome: "failure",
      // AD's two-step reset lost the directory after the old password had been replaced by a random one (the account
      // is unlocked; a new reset sets the password).
      reason: replaced ? "previous-password-replaced" : "unreachable",
      flowId: at.flowId ?? null,
      userId: at.userId ?? null,
      ip: context.ip,
      userAgent: context.userAgent,
      locale: context.locale,
      details: { during: at.during },
    });
  } catch (auditError) {
    // The page still tells the user; the log line above keeps the outage on record.
    console.error(`audit row for the outage could not be written [${context.requestId}]`, auditError);
  }
  return redirect({ href: replaced ? { pathname: "/unavailable", query: { replaced: "1" } } : "/unavailable", locale: await getLocale() });
}
