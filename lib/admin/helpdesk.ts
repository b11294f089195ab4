// The helpdesk's actions on one account, from the admin account page: unlock it, end all of its sessions, require a
// new password at the next sign-in. Each needs a reason; its audit row names the administrator and commits together
// with the change (the account store's record), and the user is told by SMS afterwards, in the language they last used.
import "server-only";
import { and, desc, eq, isNotNull, isNull, ne, or } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import type { Account, AccountStore, RecordChange } from "@/lib/accounts/types";
import { endAllSessions } from "@/lib/auth/sessions";
import type { AuditEventName } from "@/lib/audit/events";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { routing, type AppLocale } from "@/lib/i18n/routing";
import { helpdeskText } from "@/lib/messaging/texts";
import { sendGuarded } from "@/lib/verification/send";
import { REASON_MAX, type HelpdeskAction } from "./helpdesk-form";
import { adminAuditEvent, auditAdmin, type AdminCtx, type AdminIdentity } from "./session";

export { helpdeskActions, REASON_MAX, type HelpdeskAction } from "./helpdesk-form";

/** The audit event of each action; its row's reason is "helpdesk", its details name the administrator and the reason. */
const events: Record<HelpdeskAction, AuditEventName> = {
  unlock: "account.unlocked",
  "end-sessions": "account.sessions_ended",
  "require-change": "account.password_change_required",
};

export type HelpdeskResult =
  | { kind: "done"; notified: boolean }
  /** The account is gone or disabled since the page showed it. */
  | { kind: "gone" }
  /** Unlock asked for an account that is not locked (any more): nothing to do. */
  | { kind: "not-locked" };

export type HelpdeskInput = { admin: AdminIdentity; accountId: string; action: HelpdeskAction; reason: string };

/** Runs work after the response (the action passes Next's after()); tests run it at once. */
export type Schedule = (task: () => Promise<void>) => void;

/**
 * Performs one action. The change and its audit row commit together (builtin: one transaction; a directory: the row's
 * transaction around the directory's write). A directory that cannot be reached throws AccountStoreUnavailable and
 * nothing is recorded.
 */
export async function runHelpdeskAction(
  db: Db,
  input: HelpdeskInput,
  ctx: AdminCtx & { schedule?: Schedule },
  store: AccountStore = getAccountStore(db),
): Promise<HelpdeskResult> {
  const account = await store.get(input.accountId);
  if (!account) return { kind: "gone" };
  const reason = input.reason.trim().slice(0, REASON_MAX);
  // Read before this action's own row (which carries the administrator's language) is written.
  const locale = account.mobile ? await lastLocale(db, account.id) : routing.defaultLocale;
  const record: RecordChange = async (tx) => {
    await auditAdmin(tx, ctx, {
      event: events[input.action],
      outcome: "success",
      reason: "helpdesk",
      userId: account.id,
      details: { admin: input.admin.email, adminId: input.admin.userId, note: reason },
    });
    return true;
  };

  switch (input.action) {
    case "unlock": {
      if (!account.locked) return { kind: "not-locked" };
      await store.unlock(account, record);
      break;
    }
    case "require-change":
      await store.requirePasswordChange(account, record);
      break;
    case "end-sessions":
      // The portal's own sessions (portal and admin), for every kind of store: Toegang's database, not the directory.
      await db.transaction(async (tx: Tx) => {
        await record(tx);
        await endAllSessions(tx, account.id, "helpdesk");
      });
      break;
  }
  const notified = account.mobile !== null;
  if (notified) {
    const run: Schedule =
      ctx.schedule ??
      ((task) => void task().catch((e: unknown) => console.error("helpdesk notification failed", e instanceof Error ? e.message : e)));
    run(() => notifyUser(db, account, input.action, locale, ctx));
  }
  return { kind: "done", notified };
}

/** The SMS to the user's registered number; its outcome is audited like every message (never the text or the number). */
async function notifyUser(db: Db, account: Account, action: HelpdeskAction, locale: AppLocale, ctx: AdminCtx): Promise<void> {
  const config = getConfig();
  // The row carries the message's language, not the administrator's.
  const sent = { ...ctx, context: { ...ctx.context, locale } };
  const body = helpdeskText(locale, action, config.orgName, config.helpdesk.phone);
  const reason = "notification:sms";
  await sendGuarded(
    db,
    { to: account.mobile!, channel: "sms", locale, body, purpose: "notification" },
    {
      breaker: "refuse",
      audit: (outcome) => {
        const base = { userId: account.id, reason };
        switch (outcome.kind) {
          case "sent":
            return adminAuditEvent(sent, {
              ...base,
              event: "message.handed_over",
              outcome: "success",
              details: { transport: outcome.transport, providerId: outcome.providerId },
            });
          case "failed":
            return adminAuditEvent(sent, {
              ...base,
              event: "message.failed",
              outcome: "failure",
              details: {
                transport: outcome.transport,
                error: outcome.error,
                providerCode: outcome.providerCode,
                httpStatus: outcome.httpStatus,
              },
            });
          case "refused":
            return adminAuditEvent(sent, { ...base, event: "message.refused", outcome: "refused", details: { rule: outcome.rule } });
        }
      },
    },
  );
}

/**
 * The language the user last used the portal in: their latest audit row with one that is not a helpdesk action (those
 * carry the administrator's language), else the portal's default.
 */
async function lastLocale(db: Db, accountId: string): Promise<AppLocale> {
  const [row] = await db
    .select({ locale: auditEvents.locale })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.userId, accountId),
        isNotNull(auditEvents.locale),
        or(isNull(auditEvents.reason), ne(auditEvents.reason, "helpdesk")),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return routing.locales.find((l) => l === row?.locale) ?? routing.defaultLocale;
}
