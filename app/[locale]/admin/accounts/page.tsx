// Read-only account lookup: one user ID's state (lock, failures, last password change, masked number, role), linked to
// its audit events. Every lookup is audited (admin.account_viewed). A GET form, so it works without JavaScript.
import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { Fragment, type ReactNode } from "react";
import { z } from "zod";
import { lookupAccount, type AccountView } from "@/lib/admin/accounts";
import { auditAdminView, requireAdminPage } from "@/lib/admin/guard";
import { helpdeskActions, REASON_MAX, type HelpdeskAction } from "@/lib/admin/helpdesk";
import { getDb } from "@/lib/db/client";
import { orUnavailable } from "@/lib/errors/unavailable";
import { Link } from "@/lib/i18n/server-link";
import { getPortalInfo } from "@/lib/portal-info";
import { AdminShell } from "../../../_components/admin/admin-shell";
import { HelpdeskForm } from "../../../_components/admin/helpdesk-form";
import { clientMessages } from "@/app/_components/client-messages";
import { ClientMessages } from "@/lib/i18n/client-messages";
import { Field } from "../../../_components/field";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Admin.accounts"))("metaTitle") };
}

const userIdSchema = z.string().trim().max(254).pipe(z.email());

export default async function AccountsPage({
  params,
  searchParams,
}: {
  params: Promise<{ locale: string }>;
  searchParams: Promise<{ user?: string | string[]; done?: string | string[]; sms?: string | string[] }>;
}) {
  const { locale } = await params;
  const query = await searchParams;
  const raw = query.user;
  const done = helpdeskActions.find((a) => a === query.done) ?? null;
  const typed = typeof raw === "string" ? raw.slice(0, 254) : "";
  const identity = await requireAdminPage(locale, typed ? `/admin/accounts?user=${encodeURIComponent(typed)}` : "/admin/accounts");
  const t = await getTranslations("Admin.accounts");
  const domain = getPortalInfo().orgDomain;

  const parsed = typed.trim() ? userIdSchema.safeParse(typed) : null;
  const db = await getDb();
  const lookup = parsed?.success ? await orUnavailable({ during: "admin-accounts" }, () => lookupAccount(db, parsed.data)) : null;
  if (lookup) {
    await auditAdminView(
      identity,
      "admin.account_viewed",
      lookup.found ? { account: lookup.account.id, found: true } : { subjectHash: lookup.subjectHash, found: false },
    );
  }
  const error = parsed && !parsed.success ? t("errors.userIdInvalid", { domain }) : undefined;

  return (
    <AdminShell identity={identity} current="accounts">
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro")}</p>
      <form method="get" role="search" className="admin-search" noValidate>
        <Field
          id="user"
          label={t("userId")}
          hint={t("userIdHint", { domain })}
          error={error}
          type="email"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          defaultValue={typed}
        />
        <button type="submit" className="button primary">
          {t("submit")}
        </button>
      </form>
      {lookup && !lookup.found ? (
        <p className="callout" role="status">
          {t("notFound", { userId: parsed!.data! })}
        </p>
      ) : null}
      {lookup?.found ? <AccountFacts account={lookup.account} done={done} notified={query.sms === "1"} /> : null}
    </AdminShell>
  );
}

async function AccountFacts({ account, done, notified }: { account: AccountView; done: HelpdeskAction | null; notified: boolean }) {
  const t = await getTranslations("Admin.accounts");
  const th = await getTranslations("Admin.helpdesk");
  const format = await getFormatter();
  const when = (d: Date | null) => (d ? format.dateTime(d, { dateStyle: "long", timeStyle: "short" }) : null);
  const status = !account.locked
    ? t("unlocked")
    : account.lockedUntil
      ? t("lockedUntil", { until: when(account.lockedUntil) ?? "" })
      : t("lockedIndefinitely");
  // What the account store does not know (a directory's own counters and dates) is left out, not shown as empty.
  const facts: [string, ReactNode, string?][] = [
    [t("name"), `${account.firstName} ${account.lastName}`],
    [t("status"), status, account.locked ? "status-locked" : undefined],
    [t("failedSignIns"), account.failedSignIns],
    [t("passwordChanged"), when(account.passwordChangedAt)],
    [t("changeRequired"), account.passwordChangeRequired ? t("yes") : null],
    [t("mobile"), account.maskedMobile ?? t("noMobile")],
    [t("role"), account.isAdmin ? t("admin") : t("user")],
    [t("created"), when(account.createdAt)],
    [t("updated"), when(account.updatedAt)],
  ];
  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">{t("result", { email: account.email })}</h2>
      {done ? (
        <p className="notice" role="status">
          {th(`done.${done}`)} {notified ? th("doneSms") : null}
        </p>
      ) : null}
      <dl className="account-facts">
        {facts
          .filter(([, value]) => value !== null)
          .map(([label, value, className]) => (
            <Fragment key={label}>
              <dt>{label}</dt>
              <dd className={className}>{value}</dd>
            </Fragment>
          ))}
      </dl>
      <p className="links">
        <Link href={{ pathname: "/admin/audit", query: { user: account.email } }}>{t("auditLink")}</Link>
      </p>
      <section className="helpdesk" aria-labelledby="helpdesk-heading">
        <h2 id="helpdesk-heading">{th("title")}</h2>
        <p>{th("intro")}</p>
        <ClientMessages paths={clientMessages.helpdeskForm}>
          <HelpdeskForm
            accountId={account.id}
            email={account.email}
            locked={account.locked}
            mobileDigits={account.mobileDigits}
            reasonMax={REASON_MAX}
          />
        </ClientMessages>
      </section>
    </section>
  );
}
