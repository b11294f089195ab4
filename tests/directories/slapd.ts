// A real OpenLDAP server (slapd 2.5 with the ppolicy overlay) for tests: its own slapd.conf and database in a folder,
// a password policy, a service account that may only `write` userPassword and pwdAccountLockedTime (not `manage`, not
// the rootdn: those bypass the policy), TLS with a generated certificate, on free ports of this run's range.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeTestCertificates } from "../tls-certificates";
import { freePortsInRange, isListening, startDaemon, stopDaemon, waitUntil } from "./processes";
import { randomComplexPassword } from "./samba";

export const LDAP_BASE_DN = "dc=toegang,dc=test";
export const LDAP_USERS_DN = `ou=people,${LDAP_BASE_DN}`;
export const LDAP_SERVICE_DN = `cn=toegang,ou=services,${LDAP_BASE_DN}`;
export const LDAP_ROOT_DN = `cn=admin,${LDAP_BASE_DN}`;
export const LDAP_ADMIN_GROUP_DN = `cn=toegang-beheerders,ou=groups,${LDAP_BASE_DN}`;
export const LDAP_DEFAULT_POLICY_DN = `cn=default,ou=policies,${LDAP_BASE_DN}`;
/** A second policy (users get it through pwdPolicySubentry): the password must be changed after an admin reset. */
export const LDAP_MUST_CHANGE_POLICY_DN = `cn=must-change,ou=policies,${LDAP_BASE_DN}`;
/** A third policy: passwords expire after two seconds, no grace logins. */
export const LDAP_EXPIRING_POLICY_DN = `cn=expiring,ou=policies,${LDAP_BASE_DN}`;

export const LDAP_POLICY = { minLength: 10, history: 24, lockoutThreshold: 5, lockoutSeconds: 1800 };

const policyEntry = (dn: string, cn: string, extra: Record<string, string> = {}) =>
  ldif(dn, {
    objectClass: ["top", "device", "pwdPolicy"],
    cn,
    pwdAttribute: "userPassword",
    pwdMinLength: String(LDAP_POLICY.minLength),
    // 2 = refuse what cannot be checked; with ppolicy_hash_cleartext the server sees the clear text and checks length.
    pwdCheckQuality: "2",
    pwdInHistory: String(LDAP_POLICY.history),
    pwdLockout: "TRUE",
    pwdMaxFailure: String(LDAP_POLICY.lockoutThreshold),
    pwdLockoutDuration: String(LDAP_POLICY.lockoutSeconds),
    pwdFailureCountInterval: "0",
    pwdMinAge: "0",
    pwdMaxAge: "0",
    pwdMustChange: "FALSE",
    pwdAllowUserChange: "TRUE",
    pwdSafeModify: "FALSE",
    pwdGraceAuthNLimit: "0",
    ...extra,
  });

function ldif(dn: string, attributes: Record<string, string | string[]>): string {
  const lines = [`dn: ${dn}`];
  for (const [name, value] of Object.entries(attributes)) for (const v of [value].flat()) lines.push(`${name}: ${v}`);
  return lines.join("\n") + "\n";
}

function slapdConf(dir: string, rootPassword: string, tls: { caFile: string; certFile: string; keyFile: string }): string {
  const service = `dn.exact="${LDAP_SERVICE_DN}"`;
  return `# Toegang's test directory: slapd 2.5 with ppolicy.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
TLSCACertificateFile ${tls.caFile}
TLSCertificateFile ${tls.certFile}
TLSCertificateKeyFile ${tls.keyFile}

database mdb
suffix "${LDAP_BASE_DN}"
rootdn "${LDAP_ROOT_DN}"
rootpw ${rootPassword}
directory ${dir}/db
maxsize 67108864
index objectClass eq
index mail,uid,entryUUID eq
overlay ppolicy
ppolicy_default "${LDAP_DEFAULT_POLICY_DN}"
ppolicy_hash_cleartext
ppolicy_use_lockout

# The portal's service account: write (never manage) on the password and the lock, read on the rest.
access to attrs=userPassword
  by ${service} write
  by anonymous auth
  by * none
access to attrs=pwdAccountLockedTime
  by ${service} write
  by self read
  by * none
access to *
  by ${service} read
  by self read
  by * none
`;
}

export type RunningSlapd = {
  ldapsUrl: string;
  /** Plain LDAP port: the portal must upgrade it with StartTLS. */
  ldapUrl: string;
  caFile: string;
  rootPassword: string;
  servicePassword: string;
  pid: number;
  stop(): Promise<void>;
};

/** Writes the configuration, loads the entries with slapadd and starts slapd; resolves once LDAPS answers (~1 s). */
export async function startSlapd(runDir: string): Promise<RunningSlapd> {
  const dir = path.join(runDir, "slapd");
  mkdirSync(path.join(dir, "db"), { recursive: true });
  const host = "127.0.0.1";
  const tls = makeTestCertificates(path.join(dir, "tls"), {
    ca: "Toegang test directory CA",
    commonName: "localhost",
    altNames: ["DNS:localhost", `IP:${host}`],
  });
  const rootPassword = randomComplexPassword();
  const servicePassword = randomComplexPassword();
  const conf = path.join(dir, "slapd.conf");
  writeFileSync(conf, slapdConf(dir, rootPassword, tls), { mode: 0o600 });
  const hashed = execFileSync("slappasswd", ["-n", "-s", servicePassword], { encoding: "utf8" }).trim();
  const entries = [
    ldif(LDAP_BASE_DN, { objectClass: ["top", "dcObject", "organization"], dc: "toegang", o: "Toegang" }),
    ...["people", "services", "policies", "groups"].map((ou) =>
      ldif(`ou=${ou},${LDAP_BASE_DN}`, { objectClass: ["top", "organizationalUnit"], ou }),
    ),
    ldif(LDAP_SERVICE_DN, {
      objectClass: ["top", "applicationProcess", "simpleSecurityObject"],
      cn: "toegang",
      userPassword: hashed,
    }),
    policyEntry(LDAP_DEFAULT_POLICY_DN, "default"),
    policyEntry(LDAP_MUST_CHANGE_POLICY_DN, "must-change", { pwdMustChange: "TRUE" }),
    policyEntry(LDAP_EXPIRING_POLICY_DN, "expiring", { pwdMaxAge: "2" }),
    // groupOfNames needs a member; the service account is a harmless first one (it never signs in to the portal).
    ldif(LDAP_ADMIN_GROUP_DN, { objectClass: ["top", "groupOfNames"], cn: "toegang-beheerders", member: LDAP_SERVICE_DN }),
  ];
  const ldifFile = path.join(dir, "base.ldif");
  writeFileSync(ldifFile, entries.join("\n"));
  execFileSync("slapadd", ["-q", "-f", conf, "-l", ldifFile], { stdio: ["ignore", "pipe", "pipe"] });
  const [ldapPort, ldapsPort] = (await freePortsInRange(host, 2)) as [number, number];
  const logFile = path.join(runDir, "slapd.log");
  const urls = `ldap://${host}:${ldapPort}/ ldaps://${host}:${ldapsPort}/`;
  const child = startDaemon("slapd", ["-d", "0", "-f", conf, "-h", urls], logFile, runDir);
  const tail = () => readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  try {
    await waitUntil("slapd", child, async () => (await isListening(host, ldapsPort)) && (await isListening(host, ldapPort)), 30_000, tail);
  } catch (error) {
    await stopDaemon(child);
    throw error;
  }
  return {
    ldapsUrl: `ldaps://${host}:${ldapsPort}`,
    ldapUrl: `ldap://${host}:${ldapPort}`,
    caFile: tls.caFile,
    rootPassword,
    servicePassword,
    pid: child.pid!,
    stop: () => stopDaemon(child),
  };
}
