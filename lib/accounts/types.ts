// The account store: the one interface through which the portal reads and changes the accounts people sign in with,
// whether they live in Toegang's own tables (builtin), in Active Directory (ad) or in OpenLDAP with ppolicy (ldap).
// Flows, codes, limits, sessions and the audit trail stay in Toegang's database for every backend.
import type { Tx } from "@/lib/db/client";
import type { PasswordRule } from "@/lib/password/policy";

export type DirectoryKind = "builtin" | "ad" | "ldap";

/** One account as the portal sees it; never a password, a hash or anything else secret. */
export type Account = {
  /** Toegang's own stable id for the account (a uuid): audit rows, flows, sessions and limits refer to it. */
  id: string;
  source: DirectoryKind;
  /** The user ID as the organisation spells it (the e-mail address or userPrincipalName). */
  userId: string;
  firstName: string;
  lastName: string;
  /** The registered mobile number in E.164, or null when there is none (or it is not a valid number). */
  mobile: string | null;
  /** Locked out after wrong passwords. Disabled accounts are never returned at all (they behave like unknown IDs). */
  locked: boolean;
  /** When a lock ends by itself; null while locked means until someone unlocks it. */
  lockedUntil: Date | null;
  passwordChangedAt: Date | null;
  /** The password must be changed before it signs in again (a helpdesk action), where the store knows it. */
  passwordChangeRequired?: boolean;
  isAdmin: boolean;
};

/**
 * The result of checking a password. Unknown IDs, disabled accounts and wrong passwords give the same `wrong`, so
 * callers cannot tell them apart; `locked` comes from whoever keeps the lockout (see AccountStore.lockout).
 */
export type PasswordCheck =
  | { kind: "ok"; account: Account }
  | { kind: "wrong" }
  | { kind: "locked" }
  /** The right password, but it must be changed before use (AD pwdLastSet=0 / bind `data 773`, ppolicy pwdReset). */
  | { kind: "must-change"; account: Account }
  /** The right password, but it has expired (AD bind `data 532`, ppolicy passwordExpired). */
  | { kind: "expired"; account: Account };

/**
 * Records a change in Toegang's database (the flow's step and the audit rows) in the transaction that commits together
 * with the change: for builtin the very transaction that writes the account; a directory runs it in a transaction it
 * keeps open around its own write (a refused or failed write rolls the record back). Returning false means the caller
 * no longer wants the change (the flow moved on meanwhile): the store then changes nothing, and the record's own writes
 * commit.
 */
export type RecordChange = (tx: Tx) => Promise<boolean>;

/**
 * A refused new password names the portal's own rules (a directory's refusals are mapped onto them); `superseded`:
 * the record said no, nothing changed.
 */
export type SetPasswordResult =
  | { kind: "ok" }
  | {
      kind: "refused";
      rules: PasswordRule[];
      /**
       * AD's two-step reset only (AD_HISTORY_ON_RESET=two-step): the old password had already been replaced by a random
       * one nobody knows when the new one was refused, so the old one no longer works. The account is unlocked; the user
       * must choose another password (the page and the audit row say so).
       */
      previousPasswordReplaced?: true;
    }
  | { kind: "superseded" };

/** A change that cannot be refused: done, or `superseded` (the record said no, nothing changed). */
export type ChangeResult = { kind: "ok" } | { kind: "superseded" };
export type UnlockResult = ChangeResult;

/** What the admin account lookup shows besides the account, where the store knows it. */
export type AccountRecord = { createdAt: Date | null; updatedAt: Date | null };

/**
 * The store cannot be reached or did not answer in time, and pages answer 503. Nothing was changed — except when
 * `previousPasswordReplaced` is set: an AD two-step reset lost the directory halfway, after the old password had been
 * replaced by a random one (the account is unlocked; a new reset sets the password).
 */
export class AccountStoreUnavailable extends Error {
  readonly previousPasswordReplaced: boolean;
  constructor(message: string, options?: { cause?: unknown; previousPasswordReplaced?: boolean }) {
    super(message, options);
    this.name = "AccountStoreUnavailable";
    this.previousPasswordReplaced = options?.previousPasswordReplaced ?? false;
  }
}

export interface AccountStore {
  readonly kind: DirectoryKind;
  /**
   * Who counts wrong passwords and locks the account: the portal (builtin: its own counters, in the same transaction as
   * the audit row) or the directory itself (ad/ldap: badPwdCount, ppolicy), where the portal keeps no second counter.
   */
  readonly lockout: "portal" | "directory";
  /** Finds an account by the typed user ID (any configured form of it); unknown and disabled accounts give null. */
  find(typedId: string): Promise<Account | null>;
  /** The account behind Toegang's id (a flow or session that found it earlier), or null when it is gone or disabled. */
  get(id: string): Promise<Account | null>;
  /**
   * Checks a password. Directories bind as the user, so a wrong password counts towards the directory's own lockout;
   * the builtin store only compares the hash (the portal counts, see `lockout`).
   */
  checkPassword(typedId: string, password: string): Promise<PasswordCheck>;
  /**
   * Sets a new password that already passed the portal's own rules. The store enforces what it keeps itself: the
   * password history (builtin table, AD two-step or policy hints, ppolicy) and the directory's policy; also unlocks.
   * Slow checks (the history's Argon2 hashes) run before any transaction is opened; a refused password runs no record.
   * Toegang's own sessions of the account are the caller's to end (in the record).
   */
  setPassword(account: Account, password: string, record?: RecordChange): Promise<SetPasswordResult>;
  /** Clears the lockout, together with its record. */
  unlock(account: Account, record?: RecordChange): Promise<UnlockResult>;
  /**
   * The helpdesk's "require a password change at next sign-in", together with its record: the current password keeps
   * being checked but no longer signs in (`must-change`) until a new one is set (builtin: a flag setPassword clears;
   * AD: pwdLastSet=0; OpenLDAP ppolicy: pwdReset=TRUE).
   */
  requirePasswordChange(account: Account, record?: RecordChange): Promise<ChangeResult>;
  /**
   * When the user last confirmed their registered mobile number ("Mijn herstelgegevens"), or null when never. Kept in
   * Toegang's database for every store (builtin: users; a directory: directory_accounts, the directory has no place).
   */
  mobileConfirmedAt(account: Account): Promise<Date | null>;
  /**
   * Registers a new mobile number (E.164, already verified by a code sent to it) and marks it confirmed at `at`, with its
   * record. Builtin: the users row; a directory: LDAP_MOBILE_ATTRIBUTE written by the service account.
   */
  setMobile(account: Account, mobile: string, at: Date, record?: RecordChange): Promise<ChangeResult>;
  /** Marks the registered number as confirmed by its owner at `at` ("Klopt dit nummer nog?" → yes), with its record. */
  confirmMobile(account: Account, at: Date, record?: RecordChange): Promise<ChangeResult>;
  /** Dates of the account's record, for the admin lookup; a store that has none may leave this out. */
  describe?(account: Account): Promise<AccountRecord>;
  /** For readiness checks: the store is reachable and (for directories) the service account can bind. */
  ping(): Promise<void>;
}
