// The OpenLDAP account store (DIRECTORY=ldap, slapd with the ppolicy overlay): accounts found by mail or uid, passwords
// checked by binding as the user with the password-policy control, resets through the Password Modify extended
// operation as a service account with `write` (so ppolicy checks history and length), unlock by deleting
// pwdAccountLockedTime.
import "server-only";
import { Attribute, Change, OrFilter, PasswordPolicyControl, type Filter } from "ldapts";
import type { DirectoryConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { AccountStoreUnavailable, type Account, type SetPasswordResult } from "./types";
import { fromGeneralizedTime, text, type Entry } from "./directory/attributes";
import type { Deadline, DirectoryConnection } from "./directory/connection";
import { diagnostic, ppolicyBindOutcome, resultCode, RESULT, type BindOutcome } from "./directory/errors";
import { equals } from "./directory/filter";
import { ppolicyPasswordRefusal } from "./directory/refusals";
import { PASSWORD_MODIFY, passwordModifyRequest } from "./directory/requests";
import { DirectoryStore, type DirectoryAccountStore, type EntryFacts, type Found } from "./directory/store";

/** ppolicy's "locked until an administrator unlocks it": the account is disabled, and behaves like an unknown ID. */
const PERMANENTLY_LOCKED = "000001010000Z";
const POLICY_TTL_MS = 5 * 60_000;

const deleteLock = () => new Change({ operation: "delete", modification: new Attribute({ type: "pwdAccountLockedTime", values: [] }) });

class LdapStore extends DirectoryStore {
  readonly kind = "ldap" as const;
  protected readonly attributes = [
    "entryUUID",
    "mail",
    "uid",
    "givenName",
    "sn",
    "pwdAccountLockedTime",
    "pwdChangedTime",
    "pwdPolicySubentry",
  ];
  protected readonly binaryAttributes: string[] = [];
  protected readonly usableFilter = null;
  /** Lockout duration per policy entry (ms; null = until unlocked), remembered for a few minutes. */
  private readonly lockoutByPolicy = new Map<string, { ms: number | null; readAt: number }>();

  protected externalId(entry: Entry): string | null {
    return text(entry, "entryUUID")?.toLowerCase() ?? null;
  }

  protected byExternalId(externalId: string): Filter {
    return equals("entryUUID", externalId);
  }

  protected usable(entry: Entry): boolean {
    return text(entry, "pwdAccountLockedTime") !== PERMANENTLY_LOCKED;
  }

  protected async facts(connection: DirectoryConnection, _deadline: Deadline, entry: Entry): Promise<EntryFacts> {
    const lockedAt = fromGeneralizedTime(text(entry, "pwdAccountLockedTime"));
    const policyDn = text(entry, "pwdPolicySubentry");
    // The lock's length is in the user's own policy entry; the server's default policy is not visible to clients.
    const lockoutMs = lockedAt && policyDn ? await this.lockoutMs(connection, policyDn) : null;
    const lockEnds = lockedAt && lockoutMs ? new Date(lockedAt.getTime() + lockoutMs) : null;
    const locked = !!lockedAt && (!lockEnds || lockEnds.getTime() > Date.now());
    return {
      userId: text(entry, "mail") ?? text(entry, "uid") ?? "",
      ...this.person(entry),
      locked,
      lockedUntil: locked ? lockEnds : null,
      passwordChangedAt: fromGeneralizedTime(text(entry, "pwdChangedTime")),
    };
  }

  private async lockoutMs(connection: DirectoryConnection, policyDn: string): Promise<number | null> {
    const known = this.lockoutByPolicy.get(policyDn);
    if (known && Date.now() - known.readAt < POLICY_TTL_MS) return known.ms;
    const [policy] = await connection.search(policyDn, { scope: "base", filter: "(objectClass=*)", attributes: ["pwdLockoutDuration"] });
    const seconds = Number((policy && text(policy as Entry, "pwdLockoutDuration")) ?? 0);
    const ms = seconds > 0 ? seconds * 1000 : null;
    this.lockoutByPolicy.set(policyDn, { ms, readAt: Date.now() });
    return ms;
  }

  /** A direct member (member or uniqueMember) of LDAP_ADMIN_GROUP_DN. */
  protected async isAdmin(connection: DirectoryConnection, dn: string): Promise<boolean> {
    const filter = new OrFilter({ filters: [equals("member", dn), equals("uniqueMember", dn)] });
    try {
      const entries = await connection.search(this.config.adminGroupDn!, { scope: "base", filter, attributes: ["1.1"] });
      return entries.length > 0;
    } catch (error) {
      // A group that does not exist has no members.
      if (resultCode(error) === RESULT.noSuchObject) return false;
      throw error;
    }
  }

  protected async bindAs(connection: DirectoryConnection, dn: string, password: string): Promise<BindOutcome> {
    const control = new PasswordPolicyControl();
    try {
      await connection.bind(dn, password, [control]);
      return ppolicyBindOutcome(true, control.value?.error);
    } catch (error) {
      if (resultCode(error) === RESULT.invalidCredentials) return ppolicyBindOutcome(false, control.value?.error);
      throw error;
    }
  }

  protected async writePassword(target: Found, account: Account, password: string, deadline: Deadline): Promise<SetPasswordResult> {
    return this.service.run(deadline, async (c) => {
      const control = new PasswordPolicyControl();
      try {
        await c.exop(PASSWORD_MODIFY, passwordModifyRequest(target.dn, password), [control]);
      } catch (error) {
        if (resultCode(error) === RESULT.insufficientAccess) throw this.rightsProblem(error);
        if (resultCode(error) !== RESULT.constraintViolation && control.value?.error === undefined) throw error;
        const rule = ppolicyPasswordRefusal(control.value?.error, password);
        if (rule === "service") {
          throw new AccountStoreUnavailable(
            `ppolicy refuses resets by the service account: ${diagnostic(error)} (check pwdAllowUserChange and pwdSafeModify)`,
            {
              cause: error,
            },
          );
        }
        return { kind: "refused", rules: [rule] };
      }
      // ppolicy ends the lock when the password changes; say so explicitly for servers that do not.
      if (text(target.entry, "pwdAccountLockedTime")) await this.removeLock(c, target.dn);
      return { kind: "ok" };
    });
  }

  protected async writeUnlock(target: Found, deadline: Deadline): Promise<void> {
    await this.service.run(deadline, (c) => this.removeLock(c, target.dn));
  }

  /** ppolicy's pwdReset=TRUE: the next bind is told the password must be changed (olcPPolicyUseLockout aside). */
  protected async writeRequireChange(target: Found, deadline: Deadline): Promise<void> {
    await this.service.run(deadline, async (c) => {
      try {
        await c.modify(target.dn, [
          new Change({ operation: "replace", modification: new Attribute({ type: "pwdReset", values: ["TRUE"] }) }),
        ]);
      } catch (error) {
        if (resultCode(error) === RESULT.insufficientAccess) throw this.rightsProblem(error);
        throw error;
      }
    });
  }

  private async removeLock(connection: DirectoryConnection, dn: string): Promise<void> {
    try {
      await connection.modify(dn, [deleteLock()]);
    } catch (error) {
      if (resultCode(error) === RESULT.noSuchAttribute) return; // not locked (any more)
      if (resultCode(error) === RESULT.insufficientAccess) throw this.rightsProblem(error);
      throw error;
    }
  }

  private rightsProblem(error: unknown): AccountStoreUnavailable {
    return new AccountStoreUnavailable(
      `the service account may not do this: it needs write (not manage) on userPassword and pwdAccountLockedTime, and on pwdReset for the helpdesk's "new password required" (${diagnostic(error)})`,
      { cause: error },
    );
  }
}

export function createLdapStore(config: DirectoryConfig, db: Db): DirectoryAccountStore {
  if (config.kind !== "ldap") throw new Error("createLdapStore needs DIRECTORY=ldap settings");
  return new LdapStore(config, db);
}
