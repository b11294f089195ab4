// `npm run directories -- [--out FILE] [--only ad|ldap]`: starts the test directories (Samba AD DC and slapd with
// ppolicy) for the browser tests or by hand, writes their settings (addresses, CA, accounts and the portal's environment
// for each) to FILE as JSON, prints the environment lines, and keeps them running until Ctrl-C or SIGTERM, which stops
// both and removes their folder. Exits non-zero when a requested directory failed (missing packages without root included).
import { writeFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { startDirectories, type DirectoryKindUnderTest } from "@/tests/directories/harness";

async function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = path.resolve(option("--out") ?? ".directories.json");
  const only = option("--only");
  if (only !== undefined && only !== "ad" && only !== "ldap") throw new Error("--only must be ad or ldap");
  const kinds: DirectoryKindUnderTest[] = only ? [only] : ["ad", "ldap"];

  const log = (line: string) => process.stdout.write(`directories: ${line}\n`);
  const harness = await startDirectories({ kinds, log });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await harness.stop();
    rmSync(out, { force: true });
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  // The directories run under watchdogs that end them when this process ends: stay until told to stop.
  setInterval(() => {}, 1 << 30);

  const { settings } = harness;
  // Written whole, then renamed: a reader never sees half a file.
  writeFileSync(`${out}.tmp`, JSON.stringify(settings, null, 2), { mode: 0o600 });
  renameSync(`${out}.tmp`, out);
  let failed = false;
  for (const kind of kinds) {
    const slot = settings[kind];
    if (slot.status === "ready") {
      log(`${kind}: ready in ${settings.startedInMs[kind]} ms; the portal's environment:`);
      for (const [name, value] of Object.entries(slot.directory.env)) process.stdout.write(`  export ${name}='${value}'\n`);
    } else {
      failed ||= slot.status === "failed";
      log(`${kind}: ${slot.status.toUpperCase()}: ${slot.reason}`);
    }
  }
  log(`settings in ${out}; Ctrl-C stops the directories.`);
  if (failed) await stop(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`directories: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
