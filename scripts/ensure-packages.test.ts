// `npm test`'s set-up (scripts/ensure-packages.sh): nothing happens when Chromium is there; as root a missing Chromium is
// installed with apt-get (a stand-in apt-get here, so the machine's packages stay as they are); without root it stops
// within seconds with one line naming the package.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = process.getuid?.() === 0;
const dir = mkdtempSync(path.join(os.tmpdir(), "ensure-packages-"));
chmodSync(dir, 0o755);
// The scripts run from a copy in that folder: `nobody` may not reach the checkout (a clone in a `mktemp -d` folder is
// mode 700; bash then exits 126 before the check runs). test.sh finds ensure-packages.sh beside it, as in the repo.
const copies = path.join(dir, "repo", "scripts");
mkdirSync(copies, { recursive: true });
for (const name of ["ensure-packages.sh", "test.sh"]) copyFileSync(path.resolve(__dirname, name), path.join(copies, name));
const script = path.join(copies, "ensure-packages.sh");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the script with CHROMIUM_PATH and extra environment; as `nobody` when asked (and we are root to switch). */
function run(chromium: string, env: Record<string, string> = {}, asNobody = false) {
  const base: NodeJS.ProcessEnv = {
    NODE_ENV: "test",
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    CHROMIUM_PATH: chromium,
    CI: "",
    TOEGANG_DIRECTORIES: "",
    ...env,
  };
  const [command, args] = asNobody
    ? [
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", "env", ...Object.entries(base).map(([k, v]) => `${k}=${v}`), "bash", script],
      ]
    : ["bash", [script]];
  const started = Date.now();
  const result = spawnSync(command as string, args as string[], { env: base, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
}

describe("scripts/ensure-packages.sh", () => {
  it("does nothing and says nothing when Chromium is where CHROMIUM_PATH points", () => {
    const chromium = path.join(dir, "present", "chromium");
    mkdirSync(path.dirname(chromium), { recursive: true });
    writeFileSync(chromium, "#!/bin/sh\n", { mode: 0o755 });
    const result = run(chromium);
    expect(result).toMatchObject({ status: 0, stdout: "", stderr: "" });
  });

  it("without root, stops within seconds with one line that names the package to install", () => {
    const missing = path.join(dir, "absent", "chromium");
    // As root the check runs as `nobody`; as another user it runs as that user.
    const result = run(missing, {}, root);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `npm test: missing ${missing}; install as root: apt-get install -y chromium, or point CHROMIUM_PATH at a Chromium`,
    );
    expect(result.ms).toBeLessThan(5_000);
  });

  it("npm test (scripts/test.sh) runs the check before anything else: without root it ends within seconds on that line", () => {
    const missing = path.join(dir, "absent", "chromium");
    const env: NodeJS.ProcessEnv = { NODE_ENV: "test", PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, CHROMIUM_PATH: missing };
    const testScript = path.join(copies, "test.sh");
    const [command, args] = root
      ? [
          "setpriv",
          [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "env",
            ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
            "bash",
            testScript,
          ],
        ]
      : ["bash", [testScript]];
    const started = Date.now();
    const result = spawnSync(command as string, args as string[], { env, encoding: "utf8", timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      `npm test: missing ${missing}; install as root: apt-get install -y chromium, or point CHROMIUM_PATH at a Chromium`,
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.runIf(root)("as root, installs the missing package with apt-get and goes on", () => {
    const chromium = path.join(dir, "installed", "chromium");
    const bin = path.join(dir, "bin");
    const log = path.join(dir, "apt-get.log");
    mkdirSync(bin, { recursive: true });
    // The stand-in apt-get records its arguments and, on install, puts an executable where Chromium is expected.
    writeFileSync(
      path.join(bin, "apt-get"),
      `#!/bin/sh\necho "$*" >> ${log}\ncase " $* " in *" install "*) mkdir -p ${path.dirname(chromium)}; printf '#!/bin/sh\\n' > ${chromium}; chmod 755 ${chromium};; esac\n`,
      { mode: 0o755 },
    );
    const result = run(chromium, { PATH: `${bin}:${process.env.PATH}` });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("installing chromium with apt-get");
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["-o DPkg::Lock::Timeout=300 -y -q install chromium"]);
    expect(existsSync(chromium)).toBe(true);
  });

  it.runIf(root)("as root, says so in one line when the install did not bring the program", () => {
    const chromium = path.join(dir, "never", "chromium");
    const bin = path.join(dir, "bin-noop");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "apt-get"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const result = run(chromium, { PATH: `${bin}:${process.env.PATH}` });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`npm test: still missing after apt-get install chromium: ${chromium}`);
  });
});
