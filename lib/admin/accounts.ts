// Read-only account lookup for administrators, through the account store: the state of one account, shaped for the page
// (never a hash or a full number). For stores whose lockout the portal keeps, the lock and its failure count are the
// portal's own (lib/auth); a directory's come from the directory.
import "server-only";
import { getAccountStore } from "@/lib/accounts";
import type { AccountStore } from "@/lib/accounts/types";
import { portalLockView } from "@/lib/auth/lockout-view";
import type { Db } from "@/lib/db/client";
import { lastDigits, maskMobile } from "@/lib/security/masking";
import { subjectHash } from "@/lib/security/subject";

export type AccountView = {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  isAdmin: boolean;
  locked: boolean;
  /** While locked: when the lock ends by itself, or null for "until unlocked". */
  lockedUntil: Date | null;
  /** Wrong passwords since the last success, where the portal counts them; null where the directory does. */
  failedSignIns: number | null;
  passwordChangedAt: Date | null;
  maskedMobile: string | null;
  /** The last digits of the number (what the SMS notice names), or null. */
  mobileDigits: string | null;
  /** The helpdesk required a new password that has not been chosen yet (where the store knows it). */
  passwordChangeRequired: boolean;
  createdAt: Date | null;
  updatedAt: Date | null;
};

export type Lookup = { found: true; account: AccountView } | { found: false; subjectHash: string };

/** Looks up a typed user ID (any spelling); an unknown one is answered with the keyed hash the audit trail uses for it. */
export async function lookupAccount(db: Db, typed: string, now = new Date(), store: AccountStore = getAccountStore(db)): Promise<Lookup> {
  const account = await store.find(typed);
  if (!account) return { found: false, subjectHash: subjectHash(typed) };
  const lock = store.lockout === "portal" ? await portalLockView(db, account.id, now) : null;
  const record = (await store.describe?.(account)) ?? { createdAt: null, updatedAt: null };
  return {
    found: true,
    account: {
      id: account.id,
      email: account.userId,
      firstName: account.firstName,
      lastName: account.lastName,
      isAdmin: account.isAdmin,
      locked: lock?.locked ?? account.locked,
      lockedUntil: lock ? lock.lockedUntil : account.lockedUntil,
      failedSignIns: lock?.failedSignIns ?? null,
      passwordChangedAt: account.passwordChangedAt,
      maskedMobile: maskMobile(account.mobile),
      mobileDigits: account.mobile ? lastDigits(account.mobile) : null,
      passwordChangeRequired: account.passwordChangeRequired ?? false,
      ...record,
    },
  };
}
