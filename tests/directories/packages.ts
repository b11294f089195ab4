// The Debian packages a directory needs: found on PATH, installed with apt-get when missing and we are root, or a plain
// sentence saying why the directory cannot run here.
import { execFile } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export type Availability = { ok: true } | { ok: false; reason: string };

const NEEDS = {
  // samba-tool provisions, samba serves LDAP; Samba's Python modules come with the samba package. A domain controller
  // also needs the AD schema (samba-ad-provision), the directory's LDB modules (samba-dsdb-modules) and the VFS modules
  // that set the sysvol ACLs (samba-vfs-modules), which are only Recommends of samba (and we install without those):
  // checked as packages, since they bring no program.
  ad: {
    programs: ["samba", "samba-tool"],
    debs: ["samba-ad-provision", "samba-dsdb-modules", "samba-vfs-modules"],
    packages: ["samba", "samba-ad-provision", "samba-dsdb-modules", "samba-vfs-modules", "winbind", "ldb-tools"],
  },
  ldap: { programs: ["slapd", "slapadd", "slappasswd", "openssl"], debs: [], packages: ["slapd", "ldap-utils", "openssl"] },
} as const;

/** The programs (and program-less packages) of `kind` that are not here. */
async function missingPrograms(kind: keyof typeof NEEDS): Promise<string[]> {
  const debs: readonly string[] = NEEDS[kind].debs;
  const found = await Promise.all(NEEDS[kind].programs.map((program) => has(program)));
  const installed = await Promise.all(debs.map((deb) => hasDeb(deb)));
  return [...NEEDS[kind].programs.filter((_, i) => !found[i]), ...debs.filter((_, i) => !installed[i])];
}

const hasDeb = (deb: string) =>
  run("dpkg-query", ["-W", "-f=${Status}", deb]).then(
    ({ stdout }) => stdout.trim() === "install ok installed",
    () => false,
  );

const has = (program: string) =>
  run("sh", ["-c", `command -v ${program}`]).then(
    () => true,
    () => false,
  );

// Two runs may install at once (Vitest and Playwright): one apt-get at a time in this process is enough, dpkg's lock
// timeout serialises the rest.
let installing: Promise<unknown> = Promise.resolve();

/** Makes sure the programs for `kind` are here, installing Debian's packages when we can (root, apt-get). */
export async function ensurePackages(kind: keyof typeof NEEDS, log: (line: string) => void): Promise<Availability> {
  const missing = await missingPrograms(kind);
  if (missing.length === 0) return { ok: true };
  const packages = NEEDS[kind].packages.join(" ");
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      reason: `${missing.join(", ")} not installed and not running as root (install with: apt-get install -y ${packages})`,
    };
  }
  if (!(await has("apt-get")))
    return { ok: false, reason: `${missing.join(", ")} not installed and there is no apt-get to install ${packages}` };
  const result = (installing = installing.then(() => install(kind, missing, log)));
  return (await result) as Availability;
}

async function install(kind: keyof typeof NEEDS, missing: string[], log: (line: string) => void): Promise<Availability> {
  const packages = NEEDS[kind].packages.join(" ");
  log(`installing ${packages} with apt-get (missing: ${missing.join(", ")}) …`);
  // The packages' own services must not start (slapd's would take port 389): policy-rc.d says no while we install.
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const lock = ["-o", "DPkg::Lock::Timeout=300"];
    const aptInstall = () =>
      run("apt-get", [...lock, "install", "-y", "--no-install-recommends", ...NEEDS[kind].packages], { env, timeout: 900_000 });
    await aptInstall().catch(async () => {
      await run("apt-get", [...lock, "update"], { env, timeout: 300_000 });
      await aptInstall();
    });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error)
      .trim()
      .split("\n")
      .slice(-3)
      .join(" | ");
    return { ok: false, reason: `apt-get install ${packages} failed: ${stderr}` };
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  const still = await missingPrograms(kind);
  return still.length ? { ok: false, reason: `${still.join(", ")} still missing after apt-get install ${packages}` } : { ok: true };
}
