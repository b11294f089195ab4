// A real Active Directory domain controller (Samba 4) for tests: provisioned into a folder (once, then copied for every
// start), configured like a small organisation (password policy, a users OU, a least-privilege service account, an
// admin group with a nested group), and served on its own loopback address so other runs on this machine do not clash.
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { canListen, isListening, startDaemon, stopDaemon, waitUntil } from "./processes";

export const AD_REALM = "toegang.test";
export const AD_BASE_DN = "DC=toegang,DC=test";
export const AD_USERS_DN = `OU=Medewerkers,${AD_BASE_DN}`;
/** The domain controller's name: Samba's own certificate is made out to it (and has no IP address in it). */
export const AD_TLS_SERVERNAME = `dc1.${AD_REALM}`;
export const AD_ADMIN_GROUP_DN = `CN=Toegang-Beheerders,OU=Groepen,${AD_BASE_DN}`;
/** A group inside the admin group: its members are administrators through nesting only. */
export const AD_NESTED_GROUP_DN = `CN=Helpdesk,OU=Groepen,${AD_BASE_DN}`;
export const AD_SERVICE_DN = `CN=svc-toegang,OU=Services,${AD_BASE_DN}`;
export const AD_ADMIN_DN = `CN=Administrator,CN=Users,${AD_BASE_DN}`;

/** The domain's password policy in the tests (what an organisation would set; min age 0 makes two-step resets work). */
export const AD_POLICY = { minLength: 10, history: 24, lockoutThreshold: 5, lockoutMinutes: 30, complexity: true, minAgeDays: 0 };

/** The rights the portal's service account gets on the users' OU: nothing but "Reset password" and writing lockoutTime. */
const SERVICE_ACES = [
  // Reset Password (extended right 00299570-…) on user objects below the OU.
  "(OA;CIIO;CR;00299570-246d-11d0-a768-00aa006e0529;bf967aba-0de6-11d0-a285-00aa003049e2;{sid})",
  // Write property lockoutTime (28630ebf-…) on user objects below the OU.
  "(OA;CIIO;WP;28630ebf-41d5-11d1-a9c1-0000f80367c1;bf967aba-0de6-11d0-a285-00aa003049e2;{sid})",
];

// Runs with Samba's own Python (the samba-tool interpreter) against the stopped, freshly provisioned database.
const SETUP_PY = String.raw`
import sys, json, ldb
from samba.samdb import SamDB
from samba.param import LoadParm
from samba.auth import system_session
from samba.sd_utils import SDUtils
from samba.dcerpc import security
from samba.ndr import ndr_unpack
conf, spec = sys.argv[1], json.loads(sys.stdin.read())
lp = LoadParm(); lp.load(conf)
db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
base = str(db.domain_dn())
full = lambda rdn: rdn + "," + base
for ou in spec["ous"]:
    db.add({"dn": full(ou), "objectClass": "organizationalUnit"})
m = ldb.Message(); m.dn = ldb.Dn(db, base)
for k, v in spec["domain"].items():
    m[k] = ldb.MessageElement(str(v), ldb.FLAG_MOD_REPLACE, k)
db.modify(m)
svc = spec["service"]
db.newuser(svc["name"], svc["password"], userou=svc["ou"], surname=svc["name"])
res = db.search(base=full(svc["ou"]), expression="(sAMAccountName=%s)" % svc["name"], attrs=["objectSid"])
sid = str(ndr_unpack(security.dom_sid, res[0]["objectSid"][0]))
sd = SDUtils(db)
for target, ace in spec["aces"]:
    sd.dacl_add_ace(full(target), ace.replace("{sid}", sid))
for g in spec["groups"]:
    entry = {"dn": full(g["dn"]), "objectClass": "group", "sAMAccountName": g["name"]}
    if g.get("members"): entry["member"] = [full(x) for x in g["members"]]
    db.add(entry)
`;

export type SambaTemplate = {
  dir: string;
  /** Where samba-tool provisioned the domain: its smb.conf names this folder, which a copy replaces with its own. */
  provisionedAt: string;
  adminPassword: string;
  servicePassword: string;
};

const toFiletimeInterval = (minutes: number) => String(-minutes * 60 * 10_000_000);

/** A complex random password (upper, lower, digit, symbol), as AD's complexity rule wants. */
export function randomComplexPassword(): string {
  return `Tg-${randomBytes(12).toString("base64url")}-9x`;
}

/** Provisions a domain into `dir` (which must not exist): ~4–30 s depending on the machine and its load. */
export async function provisionSamba(dir: string): Promise<SambaTemplate> {
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const adminPassword = randomComplexPassword();
  const servicePassword = randomComplexPassword();
  const emptyConf = path.join(building, "empty.conf");
  writeFileSync(emptyConf, "");
  const domainDir = path.join(building, "domain");
  await promisify(execFile)(
    "samba-tool",
    [
      "domain",
      "provision",
      "-s",
      emptyConf,
      `--targetdir=${domainDir}`,
      `--realm=${AD_REALM.toUpperCase()}`,
      "--domain=TOEGANG",
      "--server-role=dc",
      "--dns-backend=NONE",
      "--host-name=dc1",
      "--host-ip=127.0.0.1",
      `--adminpass=${adminPassword}`,
      "--option=interfaces=lo",
      "--option=bind interfaces only=yes",
      "--option=server services=ldap",
    ],
    { timeout: 300_000 },
  );
  const spec = {
    ous: ["OU=Medewerkers", "OU=Services", "OU=Groepen"],
    domain: {
      minPwdLength: AD_POLICY.minLength,
      pwdHistoryLength: AD_POLICY.history,
      lockoutThreshold: AD_POLICY.lockoutThreshold,
      lockoutDuration: toFiletimeInterval(AD_POLICY.lockoutMinutes),
      lockOutObservationWindow: toFiletimeInterval(AD_POLICY.lockoutMinutes),
      minPwdAge: 0,
      pwdProperties: AD_POLICY.complexity ? 1 : 0,
    },
    service: { name: "svc-toegang", password: servicePassword, ou: "OU=Services" },
    aces: SERVICE_ACES.map((ace) => ["OU=Medewerkers", ace]),
    groups: [
      { dn: "CN=Helpdesk,OU=Groepen", name: "Helpdesk" },
      { dn: "CN=Toegang-Beheerders,OU=Groepen", name: "Toegang-Beheerders", members: ["CN=Helpdesk,OU=Groepen"] },
    ],
  };
  await runPython(SETUP_PY, [path.join(domainDir, "etc", "smb.conf")], JSON.stringify(spec));
  const template: Omit<SambaTemplate, "dir"> = { provisionedAt: domainDir, adminPassword, servicePassword };
  writeFileSync(path.join(building, "template.json"), JSON.stringify(template));
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another run finished the same template first: use theirs.
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(path.join(dir, "template.json"))) throw error;
  }
  return readTemplate(dir);
}

export function readTemplate(dir: string): SambaTemplate {
  return { ...(JSON.parse(readFileSync(path.join(dir, "template.json"), "utf8")) as Omit<SambaTemplate, "dir">), dir };
}

function runPython(script: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(sambaPython(), ["-c", script, ...args], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`Samba setup failed (exit ${code}): ${stderr.trim()}`))));
    child.stdin.end(input);
  });
}

/** samba-tool's interpreter (its #! line): Samba's Python modules belong to that Python, not to whatever is on PATH. */
function sambaPython(): string {
  const tool = execFileSync("sh", ["-c", "command -v samba-tool"], { encoding: "utf8" }).trim();
  const shebang = readFileSync(tool, "utf8").split("\n", 1)[0] ?? "";
  const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
  if (match?.[1]?.endsWith("/env") && match[2]) return match[2];
  return match?.[1] ?? "/usr/bin/python3";
}

/** Samba's version, part of the cache key for provisioned templates. */
export function sambaVersion(): string {
  return execFileSync("samba", ["-V"], { encoding: "utf8" }).trim();
}

export type RunningSamba = {
  address: string;
  ldapsUrl: string;
  /** Plain LDAP port: the portal must upgrade it with StartTLS. */
  ldapUrl: string;
  caFile: string;
  adminPassword: string;
  servicePassword: string;
  pid: number;
  stop(): Promise<void>;
};

/** A loopback address where Samba's fixed ports (389, 636, 3268, 3269) are all free. */
async function freeLoopbackAddress(): Promise<string> {
  const wanted = process.env.TOEGANG_SAMBA_ADDRESS;
  const candidates = wanted ? [wanted] : Array.from({ length: 40 }, (_, i) => `127.0.34.${i + 1}`);
  for (const address of candidates) {
    const free = await Promise.all([389, 636, 3268, 3269].map((port) => canListen(address, port)));
    if (free.every(Boolean)) return address;
  }
  throw new Error(`no loopback address among ${candidates[0]}… has Samba's ports 389/636/3268/3269 free (another Samba or slapd?)`);
}

/** Copies the template into `runDir` and starts Samba there; resolves once LDAPS answers. */
export async function startSamba(template: SambaTemplate, runDir: string): Promise<RunningSamba> {
  const address = await freeLoopbackAddress();
  const dir = path.join(runDir, "samba");
  cpSync(path.join(template.dir, "domain"), dir, { recursive: true });
  const conf = path.join(dir, "etc", "smb.conf");
  // The provisioned configuration names the template's folder; the copy serves its own, on its own address.
  const text = readFileSync(conf, "utf8")
    .split(template.provisionedAt)
    .join(dir)
    .replace(/^\s*interfaces = .*$/m, `\tinterfaces = ${address}/8`)
    // Samba accepts the previous password for 60 minutes after a change by default (like Windows for NTLM); the tests
    // check that an old password stops working, so the test domain has no such grace (see the README).
    .replace(
      /^\[global\]$/m,
      `[global]\n\told password allowed period = 0\n\tpid directory = ${path.join(dir, "run")}\n\tncalrpc dir = ${path.join(dir, "run", "ncalrpc")}`,
    );
  // Its own pid file and sockets: another Samba on this machine (a parallel run, on another loopback address) has its own.
  mkdirSync(path.join(dir, "run"), { recursive: true });
  writeFileSync(conf, text);
  const logFile = path.join(runDir, "samba.log");
  const child = startDaemon("samba", ["-i", "-M", "single", "--maximum-runtime=14400", "-s", conf], logFile, runDir);
  const tail = () => readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  try {
    // TLS keys are generated at the first start; LDAPS answers once they exist.
    await waitUntil(
      "samba",
      child,
      async () => existsSync(path.join(dir, "private", "tls", "ca.pem")) && (await isListening(address, 636)),
      90_000,
      tail,
    );
  } catch (error) {
    await stopDaemon(child);
    throw error;
  }
  return {
    address,
    ldapsUrl: `ldaps://${address}:636`,
    ldapUrl: `ldap://${address}:389`,
    caFile: path.join(dir, "private", "tls", "ca.pem"),
    adminPassword: template.adminPassword,
    servicePassword: template.servicePassword,
    pid: child.pid!,
    stop: () => stopDaemon(child),
  };
}
