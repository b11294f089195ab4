// The Active Directory account store (DIRECTORY=ad): accounts found by userPrincipalName, mail or sAMAccountName,
// passwords checked by binding as the user, resets through unicodePwd with the password history enforced (the
// policy-hints control where the DC lists it, else a two-step reset), unlock through lockoutTime.
import "server-only";
import { randomBytes } from "node:crypto";
import { Attribute, Change, ExtensibleFilter, FilterParser, type Filter } from "ldapts";
import type { DirectoryConfig } from "@/lib/config";
import type { Db } from "@/lib/db/client";
import { AccountStoreUnavailable, type Account, type SetPasswordResult } from "./types";
import { adResetMethod, type AdResetMethod } from "./directory/ad-reset-method";
import { bytes, fromFiletime, fromInterval, guidToBuffer, guidToString, text, texts, type Entry } from "./directory/attributes";
import { Deadline, type DirectoryConnection } from "./directory/connection";
import { adBindOutcome, adDataCode, diagnostic, resultCode, RESULT, type BindOutcome } from "./directory/errors";
import { equals } from "./directory/filter";
import { adPasswordRefusal, meetsAdComplexity, type AdAccountNames } from "./directory/refusals";
import { PolicyHintsControl } from "./directory/requests";
import { DirectoryStore, type DirectoryAccountStore, type EntryFacts, type Found } from "./directory/store";

/** userAccountControl ACCOUNTDISABLE. */
const ACCOUNT_DISABLED = 0x2;
/** msDS-User-Account-Control-Computed UF_LOCKOUT. */
const LOCKED_OUT = 0x10;
/** LDAP_MATCHING_RULE_IN_CHAIN: group membership through nested groups. */
const IN_CHAIN = "1.2.840.113556.1.4.1941";
/** How long the DC's capabilities and the domain's password policy are remembered. */
const DOMAIN_TTL_MS = 5 * 60_000;

/** unicodePwd takes the password in double quotes, UTF-16LE. */
function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, "utf16le");
}

const replace = (type: string, value: string | Buffer) =>
  new Change({ operation: "replace", modification: new Attribute({ type, values: [value] as string[] | Buffer[] }) });

type Domain = {
  /** How a reset keeps the history here: the DC's policy-hints control, else AD_HISTORY_ON_RESET. */
  reset: AdResetMethod;
  minLength: number;
  complexity: boolean;
  minAgeMs: number;
  lockoutMs: number | null;
  readAt: number;
};

class AdStore extends DirectoryStore {
  readonly kind = "ad" as const;
  protected readonly attributes = [
    "objectGUID",
    "userPrincipalName",
    "mail",
    "sAMAccountName",
    "givenName",
    "sn",
    "displayName",
    "userAccountControl",
    "msDS-User-Account-Control-Computed",
    "lockoutTime",
    "pwdLastSet",
    "accountExpires",
  ];
  protected readonly binaryAttributes = ["objectGUID"];
  protected readonly usableFilter: Filter = FilterParser.parseString(`(!(userAccountControl:1.2.840.113556.1.4.803:=${ACCOUNT_DISABLED}))`);
  private domain: Domain | undefined;

  protected externalId(entry: Entry): string | null {
    const guid = bytes(entry, "objectGUID");
    return guid?.length === 16 ? guidToString(guid) : null;
  }

  protected byExternalId(externalId: string): Filter {
    return equals("objectGUID", guidToBuffer(externalId));
  }

  /** Enabled (the search already says so) and not past accountExpires. */
  protected usable(entry: Entry): boolean {
    if (Number(text(entry, "userAccountControl") ?? 0) & ACCOUNT_DISABLED) return false;
    const expires = fromFiletime(text(entry, "accountExpires"));
    return !expires || expires.getTime() > Date.now();
  }

  protected async facts(connection: DirectoryConnection, deadline: Deadline, entry: Entry): Promise<EntryFacts> {
    const domain = await this.domainInfo(connection);
    const lockoutTime = fromFiletime(text(entry, "lockoutTime"));
    const computed = text(entry, "msDS-User-Account-Control-Computed");
    const lockEnds = lockoutTime && domain.lockoutMs !== null ? new Date(lockoutTime.getTime() + domain.lockoutMs) : null;
    // The DC computes the lock (it knows the lockout duration); without that attribute, work it out the same way.
    const locked =
      computed !== null ? (Number(computed) & LOCKED_OUT) !== 0 : !!lockoutTime && (!lockEnds || lockEnds.getTime() > Date.now());
    return {
      userId: text(entry, "mail") ?? text(entry, "userPrincipalName") ?? text(entry, "sAMAccountName") ?? "",
      ...this.person(entry),
      locked,
      lockedUntil: locked ? lockEnds : null,
      passwordChangedAt: fromFiletime(text(entry, "pwdLastSet")),
    };
  }

  /** Member of LDAP_ADMIN_GROUP_DN, directly or through nested groups. */
  protected async isAdmin(connection: DirectoryConnection, dn: string): Promise<boolean> {
    const filter = new ExtensibleFilter({ matchType: "memberOf", rule: IN_CHAIN, value: this.config.adminGroupDn });
    const entries = await connection.search(dn, { scope: "base", filter, attributes: ["1.1"] });
    return entries.length > 0;
  }

  protected async bindAs(connection: DirectoryConnection, dn: string, password: string): Promise<BindOutcome> {
    try {
      await connection.bind(dn, password);
      return "ok";
    } catch (error) {
      if (resultCode(error) === RESULT.invalidCredentials) return adBindOutcome(adDataCode(diagnostic(error)));
      throw error;
    }
  }

  /** The DC's policy-hints support and the domain's password policy (remembered for a few minutes). */
  private async domainInfo(connection: DirectoryConnection): Promise<Domain> {
    if (this.domain && Date.now() - this.domain.readAt < DOMAIN_TTL_MS) return this.domain;
    const [rootDse] = await connection.search("", {
      scope: "base",
      filter: "(objectClass=*)",
      attributes: ["supportedControl", "defaultNamingContext"],
    });
    const controls = rootDse ? texts(rootDse as Entry, "supportedControl") : [];
    const domainDn = rootDse ? text(rootDse as Entry, "defaultNamingContext") : null;
    const [policy] = domainDn
      ? await connection.search(domainDn, {
          scope: "base",
          filter: "(objectClass=*)",
          attributes: ["minPwdLength", "pwdProperties", "minPwdAge", "lockoutDuration"],
        })
      : [];
    const read = (name: string) => (policy ? text(policy as Entry, name) : null);
    this.domain = {
      reset: adResetMethod(controls, this.config.adHistoryOnReset),
      minLength: Number(read("minPwdLength") ?? 0),
      complexity: (Number(read("pwdProperties") ?? 1) & 1) === 1,
      minAgeMs: fromInterval(read("minPwdAge")) ?? 0,
      lockoutMs: fromInterval(read("lockoutDuration")),
      readAt: Date.now(),
    };
    return this.domain;
  }

  protected async writePassword(target: Found, account: Account, password: string, deadline: Deadline): Promise<SetPasswordResult> {
    const domain = await this.service.run(deadline, (c) => this.domainInfo(c));
    const names: AdAccountNames = {
      sAMAccountName: text(target.entry, "sAMAccountName") ?? "",
      displayName: text(target.entry, "displayName") ?? "",
      lastName: account.lastName,
    };
    const refusal = (error: unknown): SetPasswordResult | null => {
      const code = resultCode(error);
      if (code !== RESULT.constraintViolation && !(code === RESULT.unwillingToPerform && /0000052d/i.test(diagnostic(error)))) return null;
      return { kind: "refused", rules: adPasswordRefusal(diagnostic(error), password, domain, names) };
    };
    const unlock = replace("lockoutTime", "0");

    if (domain.reset.kind !== "two-step") {
      // One admin reset: with the policy-hints control the DC checks the history too; without it (off), it does not.
      const controls = domain.reset.kind === "policy-hints" ? [new PolicyHintsControl(domain.reset.oid)] : undefined;
      return this.service.run(deadline, async (c) => {
        try {
          await c.modify(target.dn, [replace("unicodePwd", unicodePwd(password)), unlock], controls);
          return { kind: "ok" } as const;
        } catch (error) {
          return refusal(error) ?? this.accessProblem(error);
        }
      });
    }
    return this.twoStepReset(deadline, target, password, domain, names, refusal);
  }

  /**
   * Samba and DCs without the policy-hints control: an admin reset to a random temporary password (which also unlocks),
   * then a change from it to the new one as the user — a change is checked against the history. The second step gets
   * a deadline of its own: once the first is done, finishing matters more than answering early.
   */
  private async twoStepReset(
    deadline: Deadline,
    target: Found,
    password: string,
    domain: Domain,
    names: AdAccountNames,
    refusal: (error: unknown) => SetPasswordResult | null,
  ): Promise<SetPasswordResult> {
    if (domain.minAgeMs > 0) {
      // The change as the user would be refused as too young right after the first step: refuse before changing anything.
      throw new AccountStoreUnavailable(
        `AD_HISTORY_ON_RESET=two-step needs the domain's minimum password age to be 0 (it is ${Math.round(domain.minAgeMs / 86_400_000)} days); nothing was changed`,
      );
    }
    const temporary = temporaryPassword(domain.minLength, names);
    await this.service.run(deadline, async (c) => {
      try {
        await c.modify(target.dn, [replace("unicodePwd", unicodePwd(temporary)), replace("lockoutTime", "0")]);
      } catch (error) {
        this.accessProblem(error);
      }
    });
    try {
      return await this.user.run(new Deadline(this.config.timeoutMs), async (c) => {
        const bound = await this.bindAs(c, target.dn, temporary);
        if (bound !== "ok") throw new AccountStoreUnavailable(`the temporary password of the two-step reset did not bind (${bound})`);
        try {
          await c.modify(target.dn, [
            new Change({ operation: "delete", modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(temporary)] }) }),
            new Change({ operation: "add", modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(password)] }) }),
          ]);
          return { kind: "ok" } as const;
        } catch (error) {
          const refused = refusal(error);
          if (refused?.kind === "refused") return { ...refused, previousPasswordReplaced: true } as const;
          throw error;
        }
      });
    } catch (error) {
      throw new AccountStoreUnavailable(
        `two-step reset: the temporary password is set but the change to the new one failed (${error instanceof Error ? error.message : String(error)})`,
        { cause: error, previousPasswordReplaced: true },
      );
    }
  }

  /** Refusals that are the operator's to fix (the service account's rights), said so; everything else passes on. */
  private accessProblem(error: unknown): never {
    if (resultCode(error) === RESULT.insufficientAccess) {
      throw new AccountStoreUnavailable(
        'the service account may not do this: it needs "Reset password" and write access to lockoutTime on the users\' OU',
        { cause: error },
      );
    }
    throw error;
  }

  protected async writeUnlock(target: Found, deadline: Deadline): Promise<void> {
    await this.service.run(deadline, async (c) => {
      try {
        await c.modify(target.dn, [replace("lockoutTime", "0")]);
      } catch (error) {
        this.accessProblem(error);
      }
    });
  }

  /** "User must change password at next logon": pwdLastSet=0; the next bind answers `data 773`. */
  protected async writeRequireChange(target: Found, deadline: Deadline): Promise<void> {
    await this.service.run(deadline, async (c) => {
      try {
        await c.modify(target.dn, [replace("pwdLastSet", "0")]);
      } catch (error) {
        this.accessProblem(error);
      }
    });
  }
}

/** A random password AD accepts (all four kinds of characters, long enough, none of the account's names). */
function temporaryPassword(minLength: number, names: AdAccountNames): string {
  for (;;) {
    const candidate = `Tq-${randomBytes(Math.max(24, minLength)).toString("base64url")}-7x`;
    if (meetsAdComplexity(candidate, names)) return candidate;
  }
}

export function createAdStore(config: DirectoryConfig, db: Db): DirectoryAccountStore {
  if (config.kind !== "ad") throw new Error("createAdStore needs DIRECTORY=ad settings");
  return new AdStore(config, db);
}
