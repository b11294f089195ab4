// The Active Directory store against a real Samba AD DC (4.17, no policy-hints control: resets are two-step).
import { describe, expect, it } from "vitest";
import { adResetMethod } from "@/lib/accounts/directory/ad-reset-method";
import { AccountStoreUnavailable } from "@/lib/accounts/types";
import { passwordWorks } from "@/tests/directories/admin";
import { countingRelay } from "@/tests/directories/fake-servers";
import { describeWithDirectory, directoryStoreContract, storeFor } from "@/tests/directories/store-contract";
import { directoryUnderTest } from "@/tests/directories/under-test";

const ad = await directoryUnderTest("ad");

directoryStoreContract("AD store against Samba", ad, {
  idForms: (user) => [user.ids.mail, user.ids.upn!, user.ids.sam!],
  directoryRefusalReplacesOldPassword: true,
  refusals: [
    { name: "shorter than the domain's minimum (10)", password: () => "Kort2026!", rules: ["directoryLength"], by: "directory" },
    { name: "of only two kinds of characters", password: () => "ZOMERTULPEN2026", rules: ["complexity"], by: "directory" },
    { name: "one used before", password: (user) => user.spec.password, rules: ["history"], by: "directory" },
    { name: "shorter than 8", password: () => "Kort26!", rules: ["length"], by: "portal" },
    { name: "without upper-case letter or digit", password: () => "zomertulpenveld", rules: ["uppercase", "digit"], by: "portal" },
    { name: "containing the last name", password: (user) => `${user.spec.sn}-Zomer-2026`, rules: ["lastName"], by: "portal" },
  ],
});

describeWithDirectory("AD specifics", ad, (fixture) => {
  const password = "Zomer-Tulpen-2026";
  const user = () => fixture().admin.createUser({ givenName: "Anna", sn: "Smit", password, mobile: "0612345678" });

  it("membership through a nested group (LDAP_MATCHING_RULE_IN_CHAIN) makes an administrator", async () => {
    const anna = await user();
    await fixture().admin.addMember(fixture().directory.nestedGroupDn!, anna.dn);
    expect((await fixture().store.find(anna.mail))?.isAdmin).toBe(true);
  });

  it("a locked account says until when (lockoutTime + the domain's lockout duration)", async () => {
    const anna = await user();
    for (let i = 0; i < 5; i++) await fixture().store.checkPassword(anna.mail, `Fout-${i}-Wachtwoord`);
    const account = await fixture().store.find(anna.mail);
    const lockoutTime = BigInt(String((await fixture().admin.read(anna.dn, ["lockoutTime"])).lockoutTime));
    const lockedAt = Number((lockoutTime - 116_444_736_000_000_000n) / 10_000n);
    expect(account).toMatchObject({ locked: true });
    expect(account?.lockedUntil?.getTime()).toBe(lockedAt + 30 * 60_000);
  });

  it("a password that must be changed (pwdLastSet=0, bind 'data 773') is must-change with the right password only", async () => {
    const anna = await user();
    await fixture().admin.replace(anna.dn, "pwdLastSet", ["0"]);
    expect(await fixture().store.checkPassword(anna.mail, password)).toMatchObject({ kind: "must-change", account: { userId: anna.mail } });
    expect(await fixture().store.checkPassword(anna.mail, "Verkeerd-Wachtwoord-9")).toEqual({ kind: "wrong" });
  });

  it("AD_HISTORY_ON_RESET=off resets without the history check (the operator's choice)", async () => {
    const anna = await user();
    const store = storeFor(fixture().directory, fixture().db, { AD_HISTORY_ON_RESET: "off" });
    try {
      const account = (await store.find(anna.mail))!;
      expect(await store.setPassword(account, "Tijdelijk-Anders-2026")).toEqual({ kind: "ok" });
      expect(await store.setPassword(account, password)).toEqual({ kind: "ok" });
      expect(await passwordWorks(fixture().directory, anna.dn, password)).toBe(true);
    } finally {
      store.close();
    }
  });

  it("Samba lists neither policy-hints control, so a reset is two-step: it binds as the user, which a plain reset (off) never does", async () => {
    const { admin, directory, db } = fixture();
    const controls = [(await admin.read("", ["supportedControl"])).supportedControl].flat().map(String);
    expect(controls.length).toBeGreaterThan(0);
    expect(adResetMethod(controls, "two-step")).toEqual({ kind: "two-step" });

    const anna = await user();
    /** Connections one find and one reset open: the service account's, and one more where the store binds as the user. */
    const connectionsOfReset = async (password: string, overrides: Record<string, string> = {}) => {
      const relay = await countingRelay(directory.ldapsUrl);
      const store = storeFor(directory, db, { LDAP_URL: relay.url, ...overrides });
      try {
        expect(await store.setPassword((await store.find(anna.mail))!, password)).toEqual({ kind: "ok" });
        return relay.connections();
      } finally {
        store.close();
        await relay.close();
      }
    };
    expect(await connectionsOfReset("Twee-Stappen-2026")).toBe(2);
    expect(await connectionsOfReset("Een-Stap-Zonder-2026", { AD_HISTORY_ON_RESET: "off" })).toBe(1);
    expect(await passwordWorks(directory, anna.dn, "Een-Stap-Zonder-2026")).toBe(true);
  });

  describe("two-step reset with a minimum password age", () => {
    it("refuses before changing anything: the change as the user would be refused as too young", async () => {
      const anna = await user();
      const { admin, directory } = fixture();
      const store = storeFor(directory, fixture().db);
      await admin.replace(directory.baseDn, "minPwdAge", [String(-86_400n * 10_000_000n)]);
      try {
        const account = (await store.find(anna.mail))!;
        const refused = store.setPassword(account, "Nieuw-Anders-2026");
        await expect(refused).rejects.toBeInstanceOf(AccountStoreUnavailable);
        await expect(refused).rejects.toThrow(/minimum password age/);
        await expect(refused).rejects.toMatchObject({ previousPasswordReplaced: false });
        expect(await passwordWorks(directory, anna.dn, password)).toBe(true);
      } finally {
        await admin.replace(directory.baseDn, "minPwdAge", ["0"]);
        store.close();
      }
    });
  });
});
