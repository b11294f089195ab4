// Vitest global setup of the "directories" project: starts Samba AD DC and slapd in the background (the unit tests run
// meanwhile; this project runs last), tells the test files where the settings will appear, and stops both at the end.
import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startDirectories, type Harness, type HarnessSettings } from "./harness";

export type SettingsFile = { status: "done"; settings: HarnessSettings } | { status: "error"; error: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the directories' settings are written once they are up (see tests/directories/under-test.ts). */
    directoriesFile: string;
  }
}

export default function setup(project: TestProject) {
  const file = path.join(os.tmpdir(), `toegang-directories-${process.pid}-${randomBytes(4).toString("hex")}.json`);
  const log = (line: string) => process.stderr.write(`[directories] ${line}\n`);
  const write = (content: SettingsFile) => {
    writeFileSync(`${file}.tmp`, JSON.stringify(content), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  let harness: Harness | undefined;
  const t0 = Date.now();
  const starting = startDirectories({ log }).then(
    (started) => {
      harness = started;
      for (const kind of ["ad", "ldap"] as const) {
        const slot = started.settings[kind];
        if (slot.status !== "ready") log(`${kind}: ${slot.status.toUpperCase()} — ${slot.reason}`);
      }
      log(`both directories settled in ${Date.now() - t0} ms`);
      write({ status: "done", settings: started.settings });
    },
    (error: unknown) => write({ status: "error", error: error instanceof Error ? error.message : String(error) }),
  );
  project.provide("directoriesFile", file);
  return async () => {
    await starting;
    await harness?.stop();
    rmSync(file, { force: true });
  };
}
