// Starts the real directories the integration and browser tests run against — Samba AD DC and slapd with ppolicy —
// in a temporary folder, and describes them (addresses, CA, accounts, the portal's environment) in one settings value.
// Missing packages are installed when we are root; otherwise that directory fails to start, naming what to install.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensurePackages } from "./packages";
import {
  AD_ADMIN_DN,
  AD_ADMIN_GROUP_DN,
  AD_BASE_DN,
  AD_NESTED_GROUP_DN,
  AD_POLICY,
  AD_SERVICE_DN,
  AD_TLS_SERVERNAME,
  AD_USERS_DN,
  provisionSamba,
  readTemplate,
  sambaVersion,
  startSamba,
  type SambaTemplate,
} from "./samba";
import {
  LDAP_ADMIN_GROUP_DN,
  LDAP_BASE_DN,
  LDAP_DEFAULT_POLICY_DN,
  LDAP_EXPIRING_POLICY_DN,
  LDAP_MUST_CHANGE_POLICY_DN,
  LDAP_POLICY,
  LDAP_ROOT_DN,
  LDAP_SERVICE_DN,
  LDAP_USERS_DN,
  startSlapd,
} from "./slapd";

export type DirectoryKindUnderTest = "ad" | "ldap";

/** One running directory, as tests and the browser suite need to know it. */
export type DirectoryUnderTest = {
  kind: DirectoryKindUnderTest;
  ldapsUrl: string;
  /** The plain port, which the portal upgrades with StartTLS. */
  ldapUrl: string;
  caFile: string;
  /** The name in the server's certificate, when the address is not in it (Samba's certificate names only the DC). */
  tlsServername: string | undefined;
  baseDn: string;
  /** Where the tests create their users (also the portal's LDAP_BASE_DN). */
  usersDn: string;
  service: { dn: string; password: string };
  /** An account that may do anything (Samba's Administrator, slapd's rootdn): for the tests' own set-up and checks. */
  admin: { dn: string; password: string };
  adminGroupDn: string;
  /** AD: a group inside the admin group (members are administrators through nesting). */
  nestedGroupDn: string | undefined;
  /** slapd: policies a test can give a user through pwdPolicySubentry (the default one also applies without). */
  policies: { default: string; mustChange: string; expiring: string } | undefined;
  policy: { minLength: number; history: number; lockoutThreshold: number };
  /** The portal's environment for this directory (DIRECTORY, LDAP_URL, …), the tested example of the README. */
  env: Record<string, string>;
  /** The directory's process (its watchdog), for the record. */
  pid: number;
};

/** A directory this run asked for is ready or failed (never skipped); one it did not ask for is "not-requested". */
export type DirectorySlot = { status: "ready"; directory: DirectoryUnderTest } | { status: "not-requested" | "failed"; reason: string };

export type HarnessSettings = {
  runDir: string;
  ad: DirectorySlot;
  ldap: DirectorySlot;
  startedInMs: Record<DirectoryKindUnderTest, number>;
};

export type Harness = { settings: HarnessSettings; stop(): Promise<void> };

export type HarnessOptions = {
  kinds?: DirectoryKindUnderTest[];
  /** Progress lines (package installs, start times). */
  log?: (line: string) => void;
};

/**
 * Where provisioned Samba domains are kept between runs, when TOEGANG_DIRECTORY_CACHE names a folder: the next run
 * copies one instead of provisioning (~4–30 s saved). Without it, the domain is provisioned in the run's own folder.
 */
async function sambaTemplate(runDir: string): Promise<SambaTemplate> {
  const cache = process.env.TOEGANG_DIRECTORY_CACHE;
  if (!cache) return provisionSamba(path.join(runDir, "samba-template"));
  const key = createHash("sha256")
    .update(sambaVersion())
    .update(readFileSync(path.join(__dirname, "samba.ts")))
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(path.resolve(cache), `samba-${key}`);
  mkdirSync(path.dirname(dir), { recursive: true });
  return existsSync(path.join(dir, "template.json")) ? readTemplate(dir) : provisionSamba(dir);
}

/** The portal's environment for a directory: the tested example configuration of the README. */
function withPortalEnv(directory: Omit<DirectoryUnderTest, "env">): DirectoryUnderTest {
  const env: Record<string, string> = {
    DIRECTORY: directory.kind,
    LDAP_URL: directory.ldapsUrl,
    LDAP_BIND_DN: directory.service.dn,
    LDAP_BIND_PASSWORD: directory.service.password,
    LDAP_BASE_DN: directory.usersDn,
    LDAP_CA_FILE: directory.caFile,
    LDAP_ADMIN_GROUP_DN: directory.adminGroupDn,
  };
  if (directory.tlsServername) env.LDAP_TLS_SERVERNAME = directory.tlsServername;
  return { ...directory, env };
}

async function startAd(runDir: string): Promise<DirectoryUnderTest & { stop(): Promise<void> }> {
  const samba = await startSamba(await sambaTemplate(runDir), runDir);
  const directory = withPortalEnv({
    kind: "ad",
    ldapsUrl: samba.ldapsUrl,
    ldapUrl: samba.ldapUrl,
    caFile: samba.caFile,
    tlsServername: AD_TLS_SERVERNAME,
    baseDn: AD_BASE_DN,
    usersDn: AD_USERS_DN,
    service: { dn: AD_SERVICE_DN, password: samba.servicePassword },
    admin: { dn: AD_ADMIN_DN, password: samba.adminPassword },
    adminGroupDn: AD_ADMIN_GROUP_DN,
    nestedGroupDn: AD_NESTED_GROUP_DN,
    policies: undefined,
    policy: { minLength: AD_POLICY.minLength, history: AD_POLICY.history, lockoutThreshold: AD_POLICY.lockoutThreshold },
    pid: samba.pid,
  });
  return { ...directory, stop: samba.stop };
}

async function startLdap(runDir: string): Promise<DirectoryUnderTest & { stop(): Promise<void> }> {
  const slapd = await startSlapd(runDir);
  const directory = withPortalEnv({
    kind: "ldap",
    ldapsUrl: slapd.ldapsUrl,
    ldapUrl: slapd.ldapUrl,
    caFile: slapd.caFile,
    tlsServername: undefined,
    baseDn: LDAP_BASE_DN,
    usersDn: LDAP_USERS_DN,
    service: { dn: LDAP_SERVICE_DN, password: slapd.servicePassword },
    admin: { dn: LDAP_ROOT_DN, password: slapd.rootPassword },
    adminGroupDn: LDAP_ADMIN_GROUP_DN,
    nestedGroupDn: undefined,
    policies: { default: LDAP_DEFAULT_POLICY_DN, mustChange: LDAP_MUST_CHANGE_POLICY_DN, expiring: LDAP_EXPIRING_POLICY_DN },
    policy: { minLength: LDAP_POLICY.minLength, history: LDAP_POLICY.history, lockoutThreshold: LDAP_POLICY.lockoutThreshold },
    pid: slapd.pid,
  });
  return { ...directory, stop: slapd.stop };
}

/** Starts the directories (in parallel) in a new temporary folder; stop() ends their processes and removes it. */
export async function startDirectories(options: HarnessOptions = {}): Promise<Harness> {
  const kinds = options.kinds ?? ["ad", "ldap"];
  const log = options.log ?? (() => {});
  const runDir = mkdtempSync(path.join(os.tmpdir(), "toegang-directories-"));
  const stops: Array<() => Promise<void>> = [];
  const startedInMs: Record<DirectoryKindUnderTest, number> = { ad: 0, ldap: 0 };
  const starters = { ad: startAd, ldap: startLdap };

  const slot = async (kind: DirectoryKindUnderTest): Promise<DirectorySlot> => {
    if (!kinds.includes(kind)) return { status: "not-requested", reason: "not requested" };
    const packages = await ensurePackages(kind, log);
    if (!packages.ok) return { status: "failed", reason: packages.reason };
    const t0 = Date.now();
    try {
      const { stop, ...directory } = await starters[kind](runDir);
      stops.push(stop);
      startedInMs[kind] = Date.now() - t0;
      log(`${kind === "ad" ? "Samba AD DC" : "slapd"} ready in ${startedInMs[kind]} ms at ${directory.ldapsUrl}`);
      return { status: "ready", directory };
    } catch (error) {
      return { status: "failed", reason: error instanceof Error ? error.message : String(error) };
    }
  };

  const [ad, ldap] = await Promise.all([slot("ad"), slot("ldap")]);
  let stopped = false;
  return {
    settings: { runDir, ad, ldap, startedInMs },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.all(stops.map((stop) => stop()));
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
