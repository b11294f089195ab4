// The OpenLDAP store against a real slapd 2.5 with ppolicy, reset by a service account with `write` (not manage).
import { expect, it } from "vitest";
import { describeWithDirectory, directoryStoreContract } from "@/tests/directories/store-contract";
import { directoryUnderTest } from "@/tests/directories/under-test";

const ldap = await directoryUnderTest("ldap");

directoryStoreContract("OpenLDAP store against slapd + ppolicy", ldap, {
  idForms: (user) => [user.ids.mail, user.ids.uid!],
  directoryRefusalReplacesOldPassword: false,
  refusals: [
    { name: "shorter than the policy's pwdMinLength (10)", password: () => "Kort2026!", rules: ["directoryLength"], by: "directory" },
    { name: "one used before (pwdInHistory)", password: (user) => user.spec.password, rules: ["history"], by: "directory" },
    { name: "shorter than 8", password: () => "Kort26!", rules: ["length"], by: "portal" },
    // slapd has no complexity check: the portal's rules are the only ones.
    { name: "without upper-case letter or digit", password: () => "zomertulpenveld", rules: ["uppercase", "digit"], by: "portal" },
    { name: "containing the last name", password: (user) => `${user.spec.sn}-Zomer-2026`, rules: ["lastName"], by: "portal" },
  ],
});

describeWithDirectory("OpenLDAP specifics", ldap, (fixture) => {
  const password = "Zomer-Tulpen-2026";

  it("a password reset by someone else with pwdMustChange (pwdReset, ppolicy 'changeAfterReset') is must-change", async () => {
    const { admin, directory } = fixture();
    const lisa = await admin.createUser({ givenName: "Lisa", sn: "Mulder", password, policyDn: directory.policies!.mustChange });
    await admin.replace(lisa.dn, "pwdReset", ["TRUE"]);
    expect(await fixture().store.checkPassword(lisa.mail, password)).toMatchObject({ kind: "must-change", account: { userId: lisa.mail } });
    expect(await fixture().store.checkPassword(lisa.mail, "Verkeerd-Wachtwoord-9")).toEqual({ kind: "wrong" });
  });

  // It waits 3 s for the password to expire, on top of the directory's own operations.
  it("an expired password (ppolicy 'passwordExpired') is expired with the right password only", { timeout: 15_000 }, async () => {
    const { admin, directory, store } = fixture();
    const lisa = await admin.createUser({ givenName: "Lisa", sn: "Mulder", password, policyDn: directory.policies!.expiring });
    // The policy lets a password live two seconds from its change (pwdChangedTime, set by a reset).
    expect(await store.setPassword((await store.find(lisa.mail))!, "Verloopt-Zo-2026")).toEqual({ kind: "ok" });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await store.checkPassword(lisa.mail, "Verloopt-Zo-2026")).toMatchObject({ kind: "expired", account: { userId: lisa.mail } });
    expect(await store.checkPassword(lisa.mail, "Verkeerd-Wachtwoord-9")).toEqual({ kind: "wrong" });
  });

  it("a locked account under a policy entry of its own says until when (pwdAccountLockedTime + pwdLockoutDuration)", async () => {
    const { admin, directory, store } = fixture();
    const lisa = await admin.createUser({ givenName: "Lisa", sn: "Mulder", password, policyDn: directory.policies!.default });
    for (let i = 0; i <= directory.policy.lockoutThreshold; i++) await store.checkPassword(lisa.mail, `Fout-${i}-Wachtwoord`);
    const lockedTime = String((await admin.read(lisa.dn, ["pwdAccountLockedTime"])).pwdAccountLockedTime);
    const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(lockedTime)!;
    const lockedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    const account = await store.find(lisa.mail);
    expect(account).toMatchObject({ locked: true });
    expect(account?.lockedUntil?.getTime()).toBe(lockedAt + 1_800_000);
  });
});
