// The tests' own hands in a test directory, as its administrator (never through the code under test): create users,
// put them in groups, change attributes, and check a password by binding directly.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Attribute, Change, Client, type Entry } from "ldapts";
import type { DirectoryUnderTest } from "./harness";

export type UserSpec = {
  givenName: string;
  sn: string;
  password: string;
  /** Stored as given (any format); omitted = no mobile number. */
  mobile?: string;
  /** AD: userAccountControl ACCOUNTDISABLE; slapd: pwdAccountLockedTime 000001010000Z (locked for good). */
  disabled?: boolean;
  /** slapd: a policy entry for pwdPolicySubentry. */
  policyDn?: string;
};

/** A user made for one test; `ids` are the forms a person may type (AD: mail, userPrincipalName, sAMAccountName). */
export type TestUser = { dn: string; mail: string; ids: { mail: string; upn?: string; sam?: string; uid?: string }; spec: UserSpec };

export class DirectoryAdmin {
  private constructor(
    readonly directory: DirectoryUnderTest,
    private readonly client: Client,
  ) {}

  static async connect(directory: DirectoryUnderTest): Promise<DirectoryAdmin> {
    const client = new Client({ url: directory.ldapsUrl, tlsOptions: tlsOptions(directory), timeout: 10_000, connectTimeout: 10_000 });
    await client.bind(directory.admin.dn, directory.admin.password);
    return new DirectoryAdmin(directory, client);
  }

  async createUser(spec: UserSpec): Promise<TestUser> {
    const tag = randomBytes(4).toString("hex");
    const mail = `${spec.givenName}.${spec.sn}.${tag}@flynth.nl`
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9.@]/g, "")
      .toLowerCase();
    const name = `t${tag}`;
    if (this.directory.kind === "ad") {
      const dn = `CN=${escapeDnValue(`${spec.sn}, ${spec.givenName} ${tag}`)},${this.directory.usersDn}`;
      const upn = `${name}@toegang.test`;
      await this.client.add(dn, [
        attribute("objectClass", ["top", "person", "organizationalPerson", "user"]),
        attribute("sAMAccountName", [name]),
        attribute("userPrincipalName", [upn]),
        attribute("givenName", [spec.givenName]),
        attribute("sn", [spec.sn]),
        attribute("displayName", [`${spec.givenName} ${spec.sn}`]),
        attribute("mail", [mail]),
        ...(spec.mobile ? [attribute("mobile", [spec.mobile])] : []),
        new Attribute({ type: "unicodePwd", values: [Buffer.from(`"${spec.password}"`, "utf16le")] }),
        attribute("userAccountControl", [spec.disabled ? "514" : "512"]),
      ]);
      return { dn, mail, ids: { mail, upn, sam: name }, spec };
    }
    const dn = `uid=${name},${this.directory.usersDn}`;
    await this.client.add(dn, [
      attribute("objectClass", ["top", "person", "organizationalPerson", "inetOrgPerson"]),
      attribute("uid", [name]),
      attribute("cn", [`${spec.givenName} ${spec.sn}`]),
      attribute("givenName", [spec.givenName]),
      attribute("sn", [spec.sn]),
      attribute("mail", [mail]),
      ...(spec.mobile ? [attribute("mobile", [spec.mobile])] : []),
      attribute("userPassword", [spec.password]),
      ...(spec.policyDn ? [attribute("pwdPolicySubentry", [spec.policyDn])] : []),
    ]);
    if (spec.disabled) await this.replace(dn, "pwdAccountLockedTime", ["000001010000Z"]);
    return { dn, mail, ids: { mail, uid: name }, spec };
  }

  async replace(dn: string, type: string, values: string[]): Promise<void> {
    await this.client.modify(dn, [new Change({ operation: "replace", modification: attribute(type, values) })]);
  }

  async addMember(groupDn: string, memberDn: string): Promise<void> {
    await this.client.modify(groupDn, [new Change({ operation: "add", modification: attribute("member", [memberDn]) })]);
  }

  async read(dn: string, attributes: string[]): Promise<Entry> {
    const { searchEntries } = await this.client.search(dn, { scope: "base", attributes });
    return searchEntries[0]!;
  }

  async close(): Promise<void> {
    await this.client.unbind();
  }
}

/** RFC 4514: a DN attribute value with its special characters escaped (AD's "Jansen\, Jan" common names). */
function escapeDnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/^[ #]|[ ]$/g, (c) => `\\${c}`);
}

function attribute(type: string, values: string[]): Attribute {
  return new Attribute({ type, values });
}

function tlsOptions(directory: DirectoryUnderTest) {
  return { ca: [readFileSync(directory.caFile)], servername: directory.tlsServername };
}

/** Whether `password` is the user's password now, asked of the directory itself (a fresh connection, a simple bind). */
export async function passwordWorks(directory: DirectoryUnderTest, dn: string, password: string): Promise<boolean> {
  const client = new Client({ url: directory.ldapsUrl, tlsOptions: tlsOptions(directory), timeout: 10_000, connectTimeout: 10_000 });
  try {
    await client.bind(dn, password);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 49) return false;
    throw error;
  } finally {
    await client.unbind().catch(() => {});
  }
}
