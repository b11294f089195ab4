// Which reset AD gets, from the DC's rootDSE supportedControl and AD_HISTORY_ON_RESET.
import { describe, expect, it } from "vitest";
import { adResetMethod } from "./ad-reset-method";

const LDAP_SERVER_POLICY_HINTS_OID = "1.2.840.113556.1.4.2239";
const LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID = "1.2.840.113556.1.4.2066";
/** A few controls every DC lists (paged results, server-side sort, show deleted): never a reason to change the method. */
const common = ["1.2.840.113556.1.4.319", "1.2.840.113556.1.4.473", "1.2.840.113556.1.4.417"];

describe("adResetMethod", () => {
  it("sends the policy-hints control where the DC lists it, whatever AD_HISTORY_ON_RESET says", () => {
    for (const setting of ["two-step", "off"] as const) {
      expect(adResetMethod([...common, LDAP_SERVER_POLICY_HINTS_OID], setting)).toEqual({
        kind: "policy-hints",
        oid: LDAP_SERVER_POLICY_HINTS_OID,
      });
    }
  });

  it("prefers the current control to the deprecated one when the DC lists both, in either order", () => {
    const both = [LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID, ...common, LDAP_SERVER_POLICY_HINTS_OID];
    expect(adResetMethod(both, "two-step")).toEqual({ kind: "policy-hints", oid: LDAP_SERVER_POLICY_HINTS_OID });
    expect(adResetMethod([...both].reverse(), "two-step")).toEqual({ kind: "policy-hints", oid: LDAP_SERVER_POLICY_HINTS_OID });
  });

  it("falls back to the deprecated control when only it is listed", () => {
    expect(adResetMethod([...common, LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID], "two-step")).toEqual({
      kind: "policy-hints",
      oid: LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID,
    });
  });

  it("without either control (Samba 4.17): two-step by default, one plain reset with off", () => {
    expect(adResetMethod(common, "two-step")).toEqual({ kind: "two-step" });
    expect(adResetMethod([], "two-step")).toEqual({ kind: "two-step" });
    expect(adResetMethod(common, "off")).toEqual({ kind: "plain" });
  });

  it("matches the OID exactly: a longer OID that starts with it is another control", () => {
    expect(adResetMethod([`${LDAP_SERVER_POLICY_HINTS_OID}.1`, `${LDAP_SERVER_POLICY_HINTS_DEPRECATED_OID}0`], "two-step")).toEqual({
      kind: "two-step",
    });
  });
});
