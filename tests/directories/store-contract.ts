// What both directory account stores promise (issue #9), as one suite run against a real directory — Samba AD DC or
// slapd with ppolicy — on each database driver. Each test makes its own users; the directory is checked directly (a
// bind of its own) wherever "the password is now X" matters.
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdStore } from "@/lib/accounts/ad";
import type { DirectoryAccountStore } from "@/lib/accounts/directory/store";
import { createLdapStore } from "@/lib/accounts/ldap";
import { AccountStoreUnavailable, type Account, type SetPasswordResult } from "@/lib/accounts/types";
import { readConfig, type DirectoryConfig } from "@/lib/config";
import type { DbHandle, Tx } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { checkPasswordRules, type PasswordRule } from "@/lib/password/policy";
import { drivers, freshDb, type Driver } from "@/tests/db";
import { DirectoryAdmin, passwordWorks, type TestUser, type UserSpec } from "./admin";
import { blackHole, closedPortUrl, countingRelay, withoutStartTls } from "./fake-servers";
import type { DirectoryUnderTest } from "./harness";

/** The store for a directory, configured the way the portal is: through readConfig and the LDAP_* variables. */
export function storeFor(directory: DirectoryUnderTest, db: DbHandle, overrides: Record<string, string> = {}): DirectoryAccountStore {
  const config = readConfig({
    SESSION_SECRET: "directory-tests-session-secret-0123456789",
    DATA_DIR: path.join(os.tmpdir(), "toegang-directory-tests"),
    ...directory.env,
    ...overrides,
  }).directory as DirectoryConfig;
  return config.kind === "ad" ? createAdStore(config, db.db) : createLdapStore(config, db.db);
}

/** One fixture per database driver: a fresh database, the store under test, and the tests' own admin connection. */
export type Fixture = { driver: Driver; directory: DirectoryUnderTest; db: DbHandle; store: DirectoryAccountStore; admin: DirectoryAdmin };

/** describe() per driver with the fixture set up. */
export function describeWithDirectory(title: string, directory: DirectoryUnderTest, body: (fixture: () => Fixture) => void): void {
  describe.each(drivers())(`${title} (%s)`, (driver) => {
    let fixture: Fixture | undefined;
    beforeAll(async () => {
      const db = await freshDb(driver);
      fixture = { driver, directory, db, store: storeFor(directory, db), admin: await DirectoryAdmin.connect(directory) };
    });
    afterAll(async () => {
      fixture?.store.close();
      await fixture?.admin.close();
      await fixture?.db.close();
    });
    body(() => fixture!);
  });
}

/** A refused new password: the rules named, and who refused it (the portal's own rules come first, as in the wizard). */
export type RefusalCase = { name: string; password: (user: TestUser) => string; rules: PasswordRule[]; by: "portal" | "directory" };

export type ContractOptions = {
  /** Every form of the typed user ID that must find the account. */
  idForms: (user: TestUser) => string[];
  refusals: RefusalCase[];
  /** AD two-step: when the directory refuses, the old password has already been replaced (the result says so). */
  directoryRefusalReplacesOldPassword: boolean;
};

const GOOD = "Zomer-Tulpen-2026";
let serial = 0;
/** A fresh good password each time (the directory keeps a history). */
const fresh = () => `Nieuw-Wachtwoord-${Date.now().toString(36)}-${++serial}`;

/** The wizard's order: the portal's rules first, then the store (which enforces the directory's policy). */
async function choosePassword(
  store: DirectoryAccountStore,
  account: Account,
  password: string,
): Promise<SetPasswordResult & { by: string }> {
  const broken = checkPasswordRules(password, { lastName: account.lastName });
  if (broken.length) return { kind: "refused", rules: broken, by: "portal" };
  return { ...(await store.setPassword(account, password)), by: "directory" };
}

export function directoryStoreContract(title: string, directory: DirectoryUnderTest, options: ContractOptions): void {
  describeWithDirectory(title, directory, (fixture) => {
    const user = (spec: Partial<UserSpec> = {}) =>
      fixture().admin.createUser({ givenName: "Jan", sn: "Jansen", password: GOOD, mobile: "06-12345656", ...spec });
    const found = async (typed: string) => {
      const account = await fixture().store.find(typed);
      expect(account, `find(${JSON.stringify(typed)})`).not.toBeNull();
      return account!;
    };

    it("finds an account by each form of the user ID, in any case and with spaces around it", async () => {
      const jan = await user();
      const ids = new Set<string>();
      for (const typed of options.idForms(jan)) {
        for (const variant of [typed, `  ${typed.toUpperCase()} `]) ids.add((await found(variant)).id);
      }
      expect(ids.size).toBe(1);
      expect(await fixture().store.find(`nobody-${jan.mail}`)).toBeNull();
    });

    it("describes the account: names, mobile in E.164, not locked, last password change, not an admin; the same Toegang id every time, and get() by it", async () => {
      const petra = await user({ givenName: "Petra", sn: "de Vries", mobile: "+31 6 8765 4321" });
      const account = await found(petra.mail);
      expect(account).toMatchObject({
        source: fixture().directory.kind,
        userId: petra.mail,
        firstName: "Petra",
        lastName: "de Vries",
        mobile: "+31687654321",
        locked: false,
        lockedUntil: null,
        isAdmin: false,
      });
      expect(account.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await fixture().store.get(account.id)).toEqual(account);
      expect((await found(petra.mail)).id).toBe(account.id);
      expect(await fixture().store.get("00000000-0000-4000-8000-000000000000")).toBeNull();
      expect(await fixture().store.get("not-a-uuid")).toBeNull();
    });

    it("handles names with accents and a comma in the entry's DN (AD: CN=de Vries-Çelik\\, Zoë …) end to end", async () => {
      const zoe = await user({ givenName: "Zoë", sn: "de Vries-Çelik" });
      const { store, directory } = fixture();
      const account = await found(zoe.mail);
      expect(account).toMatchObject({ firstName: "Zoë", lastName: "de Vries-Çelik" });
      expect(await store.checkPassword(zoe.mail, GOOD)).toMatchObject({ kind: "ok" });
      const password = fresh();
      expect(await store.setPassword(account, password)).toEqual({ kind: "ok" });
      expect(await passwordWorks(directory, zoe.dn, password)).toBe(true);
      await store.unlock(account);
    });

    it("a mobile number that is not a valid number, or none at all, is no number", async () => {
      expect((await found((await user({ mobile: "12345" })).mail)).mobile).toBeNull();
      expect((await found((await user({ mobile: undefined })).mail)).mobile).toBeNull();
    });

    it("a disabled account behaves like an unknown ID: not found, not got, and its right password is 'wrong'", async () => {
      const kees = await user({ givenName: "Kees", sn: "Bakker" });
      const account = await found(kees.mail);
      await fixture()
        .admin.createUser({ givenName: "Gone", sn: "Away", password: GOOD, disabled: true })
        .then(async (gone) => {
          expect(await fixture().store.find(gone.mail)).toBeNull();
          expect(await fixture().store.checkPassword(gone.mail, GOOD)).toEqual({ kind: "wrong" });
        });
      await disable(fixture(), kees);
      expect(await fixture().store.find(kees.mail)).toBeNull();
      expect(await fixture().store.get(account.id)).toBeNull();
      expect(await fixture().store.checkPassword(kees.mail, GOOD)).toEqual({ kind: "wrong" });
    });

    it("checks a password by binding as the user: right is ok, wrong, unknown and empty are 'wrong'", async () => {
      const jan = await user();
      const ok = await fixture().store.checkPassword(jan.mail, GOOD);
      expect(ok).toMatchObject({ kind: "ok", account: { userId: jan.mail, locked: false } });
      expect(await fixture().store.checkPassword(jan.mail, "Verkeerd-Wachtwoord-1")).toEqual({ kind: "wrong" });
      expect(await fixture().store.checkPassword(`nobody-${jan.mail}`, GOOD)).toEqual({ kind: "wrong" });
      // An empty password would be an anonymous ("unauthenticated") bind that many servers accept.
      expect(await fixture().store.checkPassword(jan.mail, "")).toEqual({ kind: "wrong" });
    });

    it("locks after the directory's threshold of wrong passwords, refuses even the right one then, and unlock() lets it bind again", async () => {
      const jan = await user();
      const { store, directory } = fixture();
      const outcomes = [];
      for (let i = 0; i < directory.policy.lockoutThreshold; i++)
        outcomes.push((await store.checkPassword(jan.mail, `Fout-${i}-Wachtwoord`)).kind);
      expect(outcomes.slice(0, -1).every((kind) => kind === "wrong")).toBe(true);
      // slapd's ppolicy writes the lock (pwdAccountLockedTime) as its own internal modify after the failed bind; once in
      // a CI run on a quiet machine the next bind came first. Wait until the directory shows the lock, then check.
      await expect.poll(async () => (await found(jan.mail)).locked, { timeout: 5_000 }).toBe(true);
      expect(await store.checkPassword(jan.mail, GOOD)).toEqual({ kind: "locked" });
      const locked = await found(jan.mail);
      expect(locked.locked).toBe(true);
      expect(await passwordWorks(directory, jan.dn, GOOD)).toBe(false);

      await store.unlock(locked);
      expect((await found(jan.mail)).locked).toBe(false);
      expect(await store.checkPassword(jan.mail, GOOD)).toMatchObject({ kind: "ok" });
      // Unlocking an account that is not locked changes nothing and is no error.
      await store.unlock(locked);
    });

    it("resets to a good password: the directory then takes the new one and refuses the old one; a locked account is unlocked too", async () => {
      const jan = await user();
      const { store, directory } = fixture();
      for (let i = 0; i <= directory.policy.lockoutThreshold; i++) await store.checkPassword(jan.mail, `Fout-${i}-Wachtwoord`);
      const account = await found(jan.mail);
      expect(account.locked).toBe(true);
      const password = fresh();
      expect(await store.setPassword(account, password)).toEqual({ kind: "ok" });
      expect(await passwordWorks(directory, jan.dn, password)).toBe(true);
      expect(await passwordWorks(directory, jan.dn, GOOD)).toBe(false);
      expect(await found(jan.mail)).toMatchObject({ locked: false });
      expect(await store.checkPassword(jan.mail, password)).toMatchObject({ kind: "ok" });
    });

    it("records a change in one database transaction with it: kept with an accepted change, rolled back with a refused one, and a declining record changes nothing", async () => {
      const jan = await user();
      const { store, directory, db } = fixture();
      const account = await found(jan.mail);
      await db.db.execute(sql`create table if not exists test_directory_record (note text not null)`);
      const record =
        (note: string, proceed = true) =>
        async (tx: Tx) => {
          await tx.execute(sql`insert into test_directory_record (note) values (${`${note} ${jan.mail}`})`);
          return proceed;
        };
      const notes = async () =>
        rowsOf<{ note: string }>(await db.db.execute(sql`select note from test_directory_record order by note`))
          .map((r) => r.note)
          .filter((note) => note.endsWith(` ${jan.mail}`))
          .map((note) => note.split(" ")[0]);

      const declined = fresh();
      expect(await store.setPassword(account, declined, record("declined", false))).toEqual({ kind: "superseded" });
      expect(await passwordWorks(directory, jan.dn, declined)).toBe(false);
      // Shorter than both test directories' minimum (10): the directory refuses it, and the record goes with it.
      expect(await store.setPassword(account, "Kort2026!", record("refused"))).toMatchObject({ kind: "refused" });
      const accepted = fresh();
      expect(await store.setPassword(account, accepted, record("accepted"))).toEqual({ kind: "ok" });
      expect(await passwordWorks(directory, jan.dn, accepted)).toBe(true);
      expect(await store.unlock(account, record("unlocked"))).toEqual({ kind: "ok" });
      expect(await notes()).toEqual(["accepted", "declined", "unlocked"]);
    });

    for (const refusal of options.refusals) {
      it(`refuses a new password that is ${refusal.name}, naming the rule (${refusal.rules.join(", ")}; refused by the ${refusal.by})`, async () => {
        const jan = await user();
        const { store, directory } = fixture();
        const account = await found(jan.mail);
        // One reset first, so the starting password is in the history.
        const current = fresh();
        expect(await store.setPassword(account, current)).toEqual({ kind: "ok" });

        const result = await choosePassword(store, account, refusal.password(jan));
        expect(result).toMatchObject({ kind: "refused", rules: refusal.rules, by: refusal.by });
        const replaced = refusal.by === "directory" && options.directoryRefusalReplacesOldPassword;
        expect(result.kind === "refused" && result.previousPasswordReplaced === true).toBe(replaced);
        // Nothing changed — except that a two-step reset had already replaced the old password, as its result says.
        expect(await passwordWorks(directory, jan.dn, refusal.password(jan))).toBe(false);
        expect(await passwordWorks(directory, jan.dn, current)).toBe(!replaced);
        // Either way the account is usable: the next good password is taken.
        const next = fresh();
        expect(await store.setPassword(account, next)).toEqual({ kind: "ok" });
        expect(await passwordWorks(directory, jan.dn, next)).toBe(true);
      });
    }

    it(
      "an unreachable or silent directory: AccountStoreUnavailable within LDAP_TIMEOUT_MS, and nothing changed",
      { timeout: 15_000 },
      async () => {
        const jan = await user();
        const account = await found(jan.mail);
        const silent = await blackHole();
        const closed = await closedPortUrl();
        try {
          for (const url of [closed, silent.url, `${closed},${silent.url}`]) {
            const store = storeFor(fixture().directory, fixture().db, { LDAP_URL: url, LDAP_TIMEOUT_MS: "400" });
            try {
              await expect(store.find(jan.mail)).rejects.toBeInstanceOf(AccountStoreUnavailable);
              await expect(store.checkPassword(jan.mail, GOOD)).rejects.toBeInstanceOf(AccountStoreUnavailable);
              await expect(store.setPassword(account, fresh())).rejects.toBeInstanceOf(AccountStoreUnavailable);
              await expect(store.unlock(account)).rejects.toBeInstanceOf(AccountStoreUnavailable);
              await expect(store.ping()).rejects.toBeInstanceOf(AccountStoreUnavailable);
            } finally {
              store.close();
            }
          }
        } finally {
          await silent.close();
        }
        expect(await passwordWorks(fixture().directory, jan.dn, GOOD)).toBe(true);
      },
    );

    it(
      "fails over to the next LDAP_URL when the first is down or silent, and recovers when the directory is back",
      { timeout: 15_000 },
      async () => {
        const jan = await user();
        const silent = await blackHole();
        const closed = await closedPortUrl();
        try {
          const { directory, db } = fixture();
          const store = storeFor(directory, db, { LDAP_URL: `${closed},${silent.url},${directory.ldapsUrl}`, LDAP_TIMEOUT_MS: "3000" });
          try {
            expect((await store.find(jan.mail))?.userId).toBe(jan.mail);
            expect(await store.checkPassword(jan.mail, GOOD)).toMatchObject({ kind: "ok" });
          } finally {
            store.close();
          }
        } finally {
          await silent.close();
        }
      },
    );

    it("reuses its connections: requests one after another share one, parallel ones stay within the pool's size", async () => {
      const jan = await user();
      const { directory, db } = fixture();
      const relay = await countingRelay(directory.ldapsUrl);
      const store = storeFor(directory, db, { LDAP_URL: relay.url });
      try {
        for (let i = 0; i < 10; i++) expect((await store.find(jan.mail))?.userId).toBe(jan.mail);
        expect(relay.connections()).toBe(1);
        for (let i = 0; i < 3; i++) expect(await store.checkPassword(jan.mail, GOOD)).toMatchObject({ kind: "ok" });
        // The binds as the user have a pool of their own (a bind changes who the connection is).
        expect(relay.connections()).toBe(2);
        const parallel = await Promise.all(Array.from({ length: 12 }, () => store.find(jan.mail)));
        expect(parallel.every((account) => account?.userId === jan.mail)).toBe(true);
        expect(relay.connections()).toBeLessThanOrEqual(2 + 3);
      } finally {
        store.close();
        await relay.close();
      }
    });

    it("typed IDs with LDAP filter syntax find nothing: *, )(, \\00 and friends are only text", async () => {
      const jan = await user();
      const local = jan.mail.split("@")[0]!;
      const attacks = [
        "*",
        "*)(objectClass=*",
        `${jan.mail})(|(mail=*`,
        `${local}*`,
        `*${jan.mail.slice(2)}`,
        "\\00",
        `${jan.mail}\u0000`,
        `${jan.mail}\\00`,
        "*)(|(userPassword=*))(|(mail=*",
        `)(mail=${jan.mail}`,
      ];
      for (const typed of attacks) {
        expect(await fixture().store.find(typed), JSON.stringify(typed)).toBeNull();
        expect(await fixture().store.checkPassword(typed, GOOD), JSON.stringify(typed)).toEqual({ kind: "wrong" });
      }
    });

    it("an administrator is a member of LDAP_ADMIN_GROUP_DN; others are not", async () => {
      const beheer = await user({ givenName: "Beheer", sn: "Der" });
      await fixture().admin.addMember(fixture().directory.adminGroupDn, beheer.dn);
      expect((await found(beheer.mail)).isAdmin).toBe(true);
      expect((await found((await user()).mail)).isAdmin).toBe(false);
    });

    it("upgrades ldap:// with StartTLS; a server that cannot never gets the bind (nor the password)", { timeout: 15_000 }, async () => {
      const jan = await user();
      const { directory, db } = fixture();
      const startTls = storeFor(directory, db, { LDAP_URL: directory.ldapUrl });
      try {
        expect(await startTls.checkPassword(jan.mail, GOOD)).toMatchObject({ kind: "ok" });
      } finally {
        startTls.close();
      }
      const plain = await withoutStartTls();
      const store = storeFor(directory, db, { LDAP_URL: plain.url, LDAP_TIMEOUT_MS: "2000" });
      try {
        await expect(store.find(jan.mail)).rejects.toThrow(/StartTLS/);
        await expect(store.checkPassword(jan.mail, GOOD)).rejects.toBeInstanceOf(AccountStoreUnavailable);
        const received = plain.received();
        // Only StartTLS requests arrived: an ExtendedRequest ([APPLICATION 23] = 0x77), never a BindRequest (0x60).
        expect(received.length).toBeGreaterThan(0);
        expect(received.includes(Buffer.from("1.3.6.1.4.1.1466.20037"))).toBe(true);
        expect(received.includes(Buffer.from(directory.service.password))).toBe(false);
        expect(received.includes(Buffer.from(directory.service.dn))).toBe(false);
      } finally {
        store.close();
        await plain.close();
      }
    });

    it("ping() binds as the service account; a wrong service password is an outage that names the service account", async () => {
      await fixture().store.ping();
      const store = storeFor(fixture().directory, fixture().db, { LDAP_BIND_PASSWORD: "Not-The-Service-Password-1" });
      try {
        await expect(store.ping()).rejects.toThrow(/service account.*invalid credentials/);
      } finally {
        store.close();
      }
    });
  });
}

/** Makes an existing user disabled, the directory's way. */
async function disable(fixture: Fixture, user: TestUser): Promise<void> {
  if (fixture.directory.kind === "ad") await fixture.admin.replace(user.dn, "userAccountControl", ["514"]);
  else await fixture.admin.replace(user.dn, "pwdAccountLockedTime", ["000001010000Z"]);
}
