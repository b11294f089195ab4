// The hand-encoded protocol pieces, byte for byte.
import { BerWriter } from "ldapts";
import { describe, expect, it } from "vitest";
import { passwordModifyRequest, PolicyHintsControl, POLICY_HINTS } from "./requests";

describe("PolicyHintsControl", () => {
  it("is Control { OID, critical TRUE, OCTET STRING { SEQUENCE { INTEGER 1 } } }", () => {
    const writer = new BerWriter();
    new PolicyHintsControl(POLICY_HINTS[0]).write(writer);
    const oid = Buffer.from(POLICY_HINTS[0]);
    expect(writer.buffer).toEqual(
      Buffer.concat([
        Buffer.from([0x30, 2 + oid.length + 3 + 7, 0x04, oid.length]),
        oid,
        Buffer.from([0x01, 0x01, 0xff]),
        Buffer.from([0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01]),
      ]),
    );
  });
});

describe("passwordModifyRequest", () => {
  it("is SEQUENCE { [0] the user's DN, [2] the new password } with no old password", () => {
    const value = passwordModifyRequest("uid=jan,ou=people,dc=x", "Nieuw-2026");
    expect(value).toEqual(
      Buffer.concat([
        Buffer.from([0x30, 2 + 22 + 2 + 10, 0x80, 22]),
        Buffer.from("uid=jan,ou=people,dc=x"),
        Buffer.from([0x82, 10]),
        Buffer.from("Nieuw-2026"),
      ]),
    );
  });
});
