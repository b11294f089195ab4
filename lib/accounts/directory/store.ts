// What the AD and OpenLDAP account stores share: finding one usable account by the typed ID or by Toegang's id,
// checking a password by binding as the user, the two connection pools, and one deadline per call.
import "server-only";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { Attribute, Change, type Filter } from "ldapts";
import { eq } from "drizzle-orm";
import type { DirectoryConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { directoryAccounts } from "@/lib/db/schema";
import {
  AccountStoreUnavailable,
  type Account,
  type AccountStore,
  type ChangeResult,
  type PasswordCheck,
  type RecordChange,
  type SetPasswordResult,
  type UnlockResult,
} from "../types";
import { accountIdFor, externalIdOf } from "./account-ids";
import { mobileNumber, text, type Entry } from "./attributes";
import { ConnectionPool, Deadline, type DirectoryConnection } from "./connection";
import { and, userFilter } from "./filter";
import { diagnostic, resultCode, RESULT, type BindOutcome } from "./errors";

/** What a store reads from one entry, before Toegang's id and the admin check are added. */
export type EntryFacts = Omit<Account, "id" | "source" | "isAdmin">;

/** One account as found in the directory: where it is, what it says, and the portal's view of it. */
export type Found = { dn: string; entry: Entry; account: Account };

/** An account store backed by a directory; close() ends its pooled connections (tests, shutdown). */
export type DirectoryAccountStore = AccountStore & { readonly kind: "ad" | "ldap"; close(): void };

/** A refused change, carried out of the transaction so that the record rolls back with it. */
class Declined extends Error {
  constructor(readonly result: Extract<SetPasswordResult, { kind: "refused" }>) {
    super("the directory refused the change");
  }
}

/** Typed IDs longer than this are nobody's (and never reach the directory). */
const MAX_TYPED_ID = 256;

export abstract class DirectoryStore implements DirectoryAccountStore {
  abstract readonly kind: "ad" | "ldap";
  readonly lockout = "directory" as const;
  protected readonly service: ConnectionPool;
  protected readonly user: ConnectionPool;

  constructor(
    protected readonly config: DirectoryConfig,
    protected readonly db: Db,
  ) {
    const settings = {
      urls: config.urls,
      bindDn: config.bindDn,
      bindPassword: config.bindPassword,
      ca: config.caFile ? readFileSync(config.caFile) : undefined,
      tlsServername: config.tlsServername,
      timeoutMs: config.timeoutMs,
    };
    this.service = new ConnectionPool(settings, "service");
    this.user = new ConnectionPool(settings, "user");
  }

  /** The attributes find() reads besides LDAP_MOBILE_ATTRIBUTE (binary ones listed in binaryAttributes too). */
  protected abstract readonly attributes: string[];
  protected abstract readonly binaryAttributes: string[];
  /** Added to every search: only accounts that may sign in (AD: not disabled). */
  protected abstract readonly usableFilter: Filter | null;
  /** The directory's stable id of an entry (AD objectGUID, OpenLDAP entryUUID). */
  protected abstract externalId(entry: Entry): string | null;
  /** A filter finding the entry with that stable id. */
  protected abstract byExternalId(externalId: string): Filter;
  /** Whether the entry is an account that may sign in at all (others behave like unknown IDs). */
  protected abstract usable(entry: Entry): boolean;
  protected abstract facts(connection: DirectoryConnection, deadline: Deadline, entry: Entry): Promise<EntryFacts>;
  protected abstract isAdmin(connection: DirectoryConnection, dn: string): Promise<boolean>;
  /** Binds as the user on a user-pool connection and says what the answer means. */
  protected abstract bindAs(connection: DirectoryConnection, dn: string, password: string): Promise<BindOutcome>;
  /** The directory's own password change (never "superseded": that is the record's to say); touches only the directory. */
  protected abstract writePassword(target: Found, account: Account, password: string, deadline: Deadline): Promise<SetPasswordResult>;
  protected abstract writeUnlock(target: Found, deadline: Deadline): Promise<void>;
  /** Expires the current password in the directory (AD pwdLastSet=0, ppolicy pwdReset=TRUE). */
  protected abstract writeRequireChange(target: Found, deadline: Deadline): Promise<void>;

  // The entry is found before the record's transaction opens: finding it reads Toegang's database (the account's id),
  // which on the embedded database would wait for that very transaction.
  async setPassword(account: Account, password: string, record?: RecordChange): Promise<SetPasswordResult> {
    const deadline = this.deadline();
    const target = await this.target(account, deadline);
    return this.recorded(record, () => this.writePassword(target, account, password, deadline));
  }

  async unlock(account: Account, record?: RecordChange): Promise<UnlockResult> {
    const deadline = this.deadline();
    const target = await this.target(account, deadline);
    return this.recorded(record, async () => {
      await this.writeUnlock(target, deadline);
      return { kind: "ok" } as const;
    });
  }

  async requirePasswordChange(account: Account, record?: RecordChange): Promise<ChangeResult> {
    const deadline = this.deadline();
    const target = await this.target(account, deadline);
    return this.recorded(record, async () => {
      await this.writeRequireChange(target, deadline);
      return { kind: "ok" } as const;
    });
  }

  async mobileConfirmedAt(account: Account): Promise<Date | null> {
    const [row] = await this.db
      .select({ at: directoryAccounts.mobileConfirmedAt })
      .from(directoryAccounts)
      .where(eq(directoryAccounts.id, account.id))
      .limit(1);
    return row?.at ?? null;
  }

  /**
   * LDAP_MOBILE_ATTRIBUTE replaced by the service account (which needs write access to that attribute), inside the
   * record's transaction; the confirmation date is Toegang's (directory_accounts), in the same transaction.
   */
  async setMobile(account: Account, mobile: string, at: Date, record?: RecordChange): Promise<ChangeResult> {
    const deadline = this.deadline();
    const target = await this.target(account, deadline);
    return this.recorded(
      async (tx) => {
        if (record && !(await record(tx))) return false;
        await tx.update(directoryAccounts).set({ mobileConfirmedAt: at }).where(eq(directoryAccounts.id, account.id));
        return true;
      },
      async () => {
        await this.service.run(deadline, async (c) => {
          try {
            const value = new Attribute({ type: this.config.mobileAttribute, values: [mobile] });
            await c.modify(target.dn, [new Change({ operation: "replace", modification: value })]);
          } catch (error) {
            if (resultCode(error) === RESULT.insufficientAccess) {
              throw new AccountStoreUnavailable(
                `the service account may not write ${this.config.mobileAttribute} (give it write access to that attribute for "Mijn herstelgegevens"): ${diagnostic(error)}`,
                { cause: error },
              );
            }
            throw error;
          }
        });
        return { kind: "ok" } as const;
      },
    );
  }

  /** Only Toegang's database changes: the directory keeps the number, the portal keeps when its owner confirmed it. */
  async confirmMobile(account: Account, at: Date, record?: RecordChange): Promise<ChangeResult> {
    return this.db.transaction(async (tx) => {
      if (record && !(await record(tx))) return { kind: "superseded" } as const;
      await tx.update(directoryAccounts).set({ mobileConfirmedAt: at }).where(eq(directoryAccounts.id, account.id));
      return { kind: "ok" } as const;
    });
  }

  /**
   * The directory's write inside a database transaction that first runs the record (which holds the flow's row, so a
   * second submit waits instead of writing twice): the record commits only when the directory accepted the change; a
   * refusal or an outage rolls it back. The directory cannot join the transaction, so a commit that fails after the
   * directory changed leaves the change without its rows: the narrowest window a directory allows.
   */
  private async recorded<R extends SetPasswordResult | ChangeResult>(
    record: RecordChange | undefined,
    write: () => Promise<R>,
  ): Promise<R | { kind: "superseded" }> {
    if (!record) return write();
    try {
      return await this.db.transaction(async (tx) => {
        if (!(await record(tx))) return { kind: "superseded" } as const;
        const result = await write();
        if (result.kind === "refused") throw new Declined(result);
        return result;
      });
    } catch (error) {
      if (error instanceof Declined) return error.result as R;
      throw error;
    }
  }

  /** givenName, sn and the mobile number (E.164, or null), as every directory spells them. */
  protected person(entry: Entry): Pick<EntryFacts, "firstName" | "lastName" | "mobile"> {
    return {
      firstName: text(entry, "givenName") ?? "",
      lastName: text(entry, "sn") ?? "",
      mobile: mobileNumber(text(entry, this.config.mobileAttribute)),
    };
  }

  protected deadline(): Deadline {
    return new Deadline(this.config.timeoutMs);
  }

  async find(typedId: string): Promise<Account | null> {
    return (await this.findByTypedId(typedId, this.deadline()))?.account ?? null;
  }

  async get(id: string): Promise<Account | null> {
    return (await this.findById(id, this.deadline()))?.account ?? null;
  }

  async checkPassword(typedId: string, password: string): Promise<PasswordCheck> {
    const deadline = this.deadline();
    const found = await this.findByTypedId(typedId, deadline);
    if (!found || !password) {
      // An unknown ID costs a bind too, so the answer takes about as long as for a known one.
      if (password) await this.user.run(deadline, (c) => this.bindAs(c, this.decoyDn(), password)).catch(() => "wrong");
      return { kind: "wrong" };
    }
    const outcome = await this.user.run(deadline, (c) => this.bindAs(c, found.dn, password));
    switch (outcome) {
      case "ok":
        return { kind: "ok", account: { ...found.account, locked: false, lockedUntil: null } };
      case "locked":
        return { kind: "locked" };
      case "must-change":
        return { kind: "must-change", account: found.account };
      case "expired":
        return { kind: "expired", account: found.account };
      default:
        return { kind: "wrong" };
    }
  }

  async ping(): Promise<void> {
    await this.service.run(this.deadline(), (c) =>
      c.search(this.config.baseDn, { scope: "base", filter: "(objectClass=*)", attributes: ["1.1"] }),
    );
  }

  close(): void {
    this.service.close();
    this.user.close();
  }

  /** A DN nobody has, for the decoy bind. */
  private decoyDn(): string {
    return `cn=toegang-no-such-user-${randomBytes(6).toString("hex")},${this.config.baseDn}`;
  }

  protected async findByTypedId(typedId: string, deadline: Deadline): Promise<Found | null> {
    const id = typedId.normalize("NFKC").trim();
    // Control characters are in nobody's user ID; NUL in particular ends the value early on some servers.
    if (!id || id.length > MAX_TYPED_ID || /\p{Cc}/u.test(id)) return null;
    return this.service.run(deadline, (c) => this.findOne(c, deadline, userFilter(this.config.userFilter, id)));
  }

  protected async findById(id: string, deadline: Deadline): Promise<Found | null> {
    const externalId = await externalIdOf(this.db, this.kind, id);
    if (!externalId) return null;
    return this.service.run(deadline, (c) => this.findOne(c, deadline, this.byExternalId(externalId)));
  }

  /** The one usable account the filter finds; none, or more than one (an ambiguous ID), gives null. */
  private async findOne(connection: DirectoryConnection, deadline: Deadline, filter: Filter): Promise<Found | null> {
    const entries = await connection.search(this.config.baseDn, {
      filter: this.usableFilter ? and(filter, this.usableFilter) : filter,
      attributes: [...this.attributes, this.config.mobileAttribute],
      binary: this.binaryAttributes,
      sizeLimit: 2,
    });
    if (entries.length !== 1) return null;
    const entry = entries[0] as Entry & { dn: string };
    const externalId = this.externalId(entry);
    if (!externalId || !this.usable(entry)) return null;
    const [facts, isAdmin] = await Promise.all([this.facts(connection, deadline, entry), this.adminCheck(connection, entry.dn)]);
    const id = await accountIdFor(this.db, this.kind, externalId);
    return { dn: entry.dn, entry, account: { id, source: this.kind, ...facts, isAdmin } };
  }

  private adminCheck(connection: DirectoryConnection, dn: string): Promise<boolean> {
    return this.config.adminGroupDn ? this.isAdmin(connection, dn) : Promise.resolve(false);
  }

  /** The account behind Toegang's id, for changes: gone or disabled since it was found is an outage-like failure. */
  protected async target(account: Account, deadline: Deadline): Promise<Found> {
    if (account.source !== this.kind) throw new Error(`a ${account.source} account given to the ${this.kind} store`);
    const found = await this.findById(account.id, deadline);
    if (!found)
      throw new AccountStoreUnavailable(`account ${account.id} is no longer a usable account in the directory; nothing was changed`);
    return found;
  }
}
