// The two hand-encoded pieces of the directory protocol: AD's policy-hints control and RFC 3062's Password Modify
// request value (BER, as the servers expect them byte for byte).
import { BerWriter, Control } from "ldapts";

/** LDAP_SERVER_POLICY_HINTS_OID, then its deprecated predecessor: an admin reset that enforces the password history. */
export const POLICY_HINTS = ["1.2.840.113556.1.4.2239", "1.2.840.113556.1.4.2066"] as const;

/** The policy-hints control (MS-ADTS 3.1.1.3.4.1.41): critical, value SEQUENCE { Flags INTEGER 1 }. */
export class PolicyHintsControl extends Control {
  constructor(oid: string) {
    super(oid, { critical: true });
  }
  protected override writeControl(writer: BerWriter): void {
    writer.writeBuffer(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 0x04);
  }
}

/** RFC 3062 Password Modify extended operation. */
export const PASSWORD_MODIFY = "1.3.6.1.4.1.4203.1.11.1";

/** PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0], newPasswd [2] } (no old password: a reset). */
export function passwordModifyRequest(dn: string, password: string): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeString(dn, 0x80);
  writer.writeString(password, 0x82);
  writer.endSequence();
  return writer.buffer;
}
