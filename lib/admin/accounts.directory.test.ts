// The admin account lookup against a real Samba AD DC and slapd with ppolicy (issue #9): a directory account found by
// each form of its user ID and shown as the admin page shows it — names, masked number, the directory's own lock and
// last password change, and none of what only the builtin store keeps (failure count, record dates); an unknown ID and
// a disabled account are the same "not found".
import { expect, it } from "vitest";
import { subjectHash } from "@/lib/security/subject";
import type { DirectoryKindUnderTest } from "@/tests/directories/harness";
import { describeWithDirectory } from "@/tests/directories/store-contract";
import { directoryUnderTest } from "@/tests/directories/under-test";
import { lookupAccount, type AccountView, type Lookup } from "./accounts";

const PASSWORD = "Zomer-Tulpen-2026";

/** A directory's date that must lie between two moments of the test (slapd keeps whole seconds). */
function expectBetween(date: Date | null, from: number, to: number): void {
  expect(date?.getTime()).toBeGreaterThanOrEqual(Math.floor(from / 1000) * 1000);
  expect(date?.getTime()).toBeLessThanOrEqual(to);
}

for (const kind of ["ad", "ldap"] as DirectoryKindUnderTest[]) {
  const directory = await directoryUnderTest(kind);
  describeWithDirectory(`the admin account lookup with DIRECTORY=${kind}`, directory, (fixture) => {
    // slapd's default policy is not readable by clients: the account names its policy entry, so the lock shows its end.
    const user = (spec: { disabled?: boolean } = {}) =>
      fixture().admin.createUser({
        givenName: "Sanne",
        sn: "de Boer",
        password: PASSWORD,
        mobile: "06-12345678",
        policyDn: directory.policies?.default,
        ...spec,
      });
    const lookup = (typed: string) => lookupAccount(fixture().db.db, typed, new Date(), fixture().store);
    const shown = async (typed: string): Promise<AccountView> => {
      const result: Lookup = await lookup(typed);
      if (!result.found) throw new Error(`${typed} not found`);
      return result.account;
    };

    it("finds the account by each form of its user ID and shows names, the masked number and the last password change", async () => {
      const { store } = fixture();
      const before = Date.now();
      const sanne = await user();
      const after = Date.now();
      const forms = Object.values(sanne.ids);
      expect(forms.length).toBe(kind === "ad" ? 3 : 2);
      const views: AccountView[] = [];
      for (const typed of forms) views.push(await shown(typed), await shown(typed.toUpperCase()));
      expect(views.every((view) => view.id === views[0]!.id)).toBe(true);
      const view = views[0]!;
      expect(view).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: sanne.mail,
        firstName: "Sanne",
        lastName: "de Boer",
        isAdmin: false,
        locked: false,
        lockedUntil: null,
        // The directory counts wrong passwords; the page leaves out what the store does not know.
        failedSignIns: null,
        // AD: pwdLastSet of the password the account was made with. slapd set no pwdChangedTime when the entry was
        // added with its password (the page then leaves the row out) — only a change sets it, below.
        passwordChangedAt: kind === "ad" ? expect.any(Date) : null,
        maskedMobile: "*****78",
        mobileDigits: "78",
        passwordChangeRequired: false,
        createdAt: null,
        updatedAt: null,
      });
      if (kind === "ad") expectBetween(view.passwordChangedAt, before, after);
      expect(JSON.stringify(views)).not.toMatch(/12345678|Zomer-Tulpen/);

      const resetAt = Date.now();
      expect(await store.setPassword((await store.find(sanne.mail))!, "Herfst-Eiken-2027")).toEqual({ kind: "ok" });
      expectBetween((await shown(sanne.mail)).passwordChangedAt, resetAt, Date.now());
    });

    it("shows the directory's lock after its threshold of wrong passwords, with when it ends", async () => {
      const { store, directory } = fixture();
      const sanne = await user();
      const firstBind = Date.now();
      for (let i = 0; i < directory.policy.lockoutThreshold; i++) await store.checkPassword(sanne.mail, `Fout-${i}-Wachtwoord`);
      // slapd writes the lock just after the failed bind answers (see the store contract): wait until the page would show it.
      await expect.poll(async () => (await shown(sanne.mail)).locked, { timeout: 5_000 }).toBe(true);
      const view = await shown(sanne.mail);
      expect(view).toMatchObject({ locked: true, failedSignIns: null, maskedMobile: "*****78" });
      // Both test directories lock for 30 minutes from the last wrong password.
      expectBetween(view.lockedUntil && new Date(view.lockedUntil.getTime() - 30 * 60_000), firstBind, Date.now());

      await store.unlock((await store.find(sanne.mail))!);
      expect(await shown(sanne.mail)).toMatchObject({ locked: false, lockedUntil: null });
    });

    it("an unknown ID and a disabled account are the same 'not found', answered with the keyed hash of what was typed", async () => {
      const unknown = `niemand.${Date.now()}@flynth.nl`;
      const notFound = (typed: string) => ({ found: false, subjectHash: subjectHash(typed) });
      expect(await lookup(unknown)).toEqual(notFound(unknown));
      const disabled = await user({ disabled: true });
      expect(await lookup(disabled.mail)).toEqual(notFound(disabled.mail));
      // One the helpdesk has looked at before (it has a Toegang id), then disabled in the directory.
      const sanne = await user();
      await shown(sanne.mail);
      if (kind === "ad") await fixture().admin.replace(sanne.dn, "userAccountControl", ["514"]);
      else await fixture().admin.replace(sanne.dn, "pwdAccountLockedTime", ["000001010000Z"]);
      for (const typed of Object.values(sanne.ids)) expect(await lookup(typed)).toEqual(notFound(typed));
    });
  });
}
