// The helpdesk's actions on one account, from the admin account page: unlock it, end all of its sessions, require a
// new password at the next sign-in. Each needs a reason; its audit row names the administrator and commits together
// with the change (the account store's record), and so does the user's SMS, in the language they last used: it is
// queued in that transaction (lib/messaging/queue.ts), tried after the response and retried by the message worker.
import "server-only";
import { countedSchedule, type Schedule } from "@/lib/background";
import { and, desc, eq, isNotNull, isNull, ne, or } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import type { Account, AccountStore, RecordChange } from "@/lib/accounts/types";
import { endAllSessions } from "@/lib/auth/sessions";
import type { AuditEventName } from "@/lib/audit/events";
import { getConfig } from "@/lib/config";
import type { Db, Tx } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { routing, type AppLocale } from "@/lib/i18n/routing";
import { queueNotification, sendQueued, type NotificationKind } from "@/lib/messaging/queue";
import { helpdeskText } from "@/lib/messaging/texts";
import { REASON_MAX, type HelpdeskAction } from "./helpdesk-form";
import { auditAdmin, type AdminCtx, type AdminIdentity } from "./session";

export { helpdeskActions, REASON_MAX, type HelpdeskAction } from "./helpdesk-form";

/** The audit event of each action; its row's reason is "helpdesk", its details name the administrator and the reason. */
const events: Record<HelpdeskAction, AuditEventName> = {
  unlock: "account.unlocked",
  "end-sessions": "account.sessions_ended",
  "require-change": "account.password_change_required",
};

/** The queue's kind of each action's SMS (on its message.queued and attempt rows). */
const messageKinds: Record<HelpdeskAction, NotificationKind> = {
  unlock: "helpdesk-unlocked",
  "end-sessions": "helpdesk-sessions-ended",
  "require-change": "helpdesk-change-required",
};

export type HelpdeskResult =
  | { kind: "done"; notified: boolean }
  /** The account is gone or disabled since the page showed it. */
  | { kind: "gone" }
  /** Unlock asked for an account that is not locked (any more): nothing to do. */
  | { kind: "not-locked" };

export type HelpdeskInput = { admin: AdminIdentity; accountId: string; action: HelpdeskAction; reason: string };

/** Runs work after the response (the action passes Next's after()); tests run it at once. */

/**
 * Performs one action. The change, its audit row and the user's queued SMS commit together (builtin: one transaction; a
 * directory: the rows' transaction around the directory's write, as the wizard's unlock and reset). A directory that
 * cannot be reached throws AccountStoreUnavailable and nothing is recorded or queued.
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
  const out: { message: number | null } = { message: null };
  const record: RecordChange = async (tx) => {
    await auditAdmin(tx, ctx, {
      event: events[input.action],
      outcome: "success",
      reason: "helpdesk",
      userId: account.id,
      details: { admin: input.admin.email, adminId: input.admin.userId, note: reason },
    });
    // The user's alert commits with the change (and is rolled back with it when the directory refuses or fails).
    out.message = await queueNotice(tx, account, input.action, locale, ctx);
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
  if (out.message !== null) sendNotice(db, out.message, ctx);
  return { kind: "done", notified: out.message !== null };
}

/**
 * Queues the SMS to the user's registered number in the change's transaction, with its message.queued row (the
 * administrator's request, the message's language); returns its id, or null when the account has no number.
 */
async function queueNotice(tx: Tx, account: Account, action: HelpdeskAction, locale: AppLocale, ctx: AdminCtx): Promise<number | null> {
  if (!account.mobile) return null;
  const config = getConfig();
  const body = helpdeskText(locale, action, config.orgName, config.helpdesk.phone);
  // The message's rows carry its language, not the administrator's (lastLocale reads them back).
  const who = { userId: account.id, ip: ctx.context.ip, userAgent: ctx.context.userAgent, locale, at: ctx.now };
  return queueNotification(
    tx,
    { kind: messageKinds[action], to: account.mobile, locale, body, flowId: null, userId: account.id },
    who,
    ctx.now ?? new Date(),
  );
}

/** After the change committed: the SMS's first attempt, after the response; the message worker retries a failure. */
function sendNotice(db: Db, id: number, ctx: AdminCtx & { schedule?: Schedule }): void {
  (ctx.schedule ?? countedSchedule(ctx.context.requestId))(async () => {
    await sendQueued(db, id, ctx.now, { ip: ctx.context.ip, userAgent: ctx.context.userAgent });
  });
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
