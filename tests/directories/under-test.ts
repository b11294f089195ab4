// The test files' side of the directories project: waits for the global setup's settings and hands over one directory;
// a directory that could not start (missing packages without root included: the reason names them) fails the file.
import { existsSync, readFileSync } from "node:fs";
import { inject } from "vitest";
import type { DirectoryKindUnderTest, DirectoryUnderTest } from "./harness";
import type { SettingsFile } from "./vitest-setup";

/** Waits (up to 5 minutes: a fresh machine installs packages first) for the directory of this kind; throws when it cannot run. */
export async function directoryUnderTest(kind: DirectoryKindUnderTest): Promise<DirectoryUnderTest> {
  const file = inject("directoriesFile");
  if (!file)
    throw new Error("no directories global setup: run these tests in the directories project (npx vitest run --project directories)");
  const deadline = Date.now() + 300_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`the directories did not start within 5 minutes (${file})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const content = JSON.parse(readFileSync(file, "utf8")) as SettingsFile;
  if (content.status === "error") throw new Error(`the directories could not be started: ${content.error}`);
  const slot = content.settings[kind];
  if (slot.status !== "ready") throw new Error(`the ${kind} directory could not be started: ${slot.reason}`);
  return slot.directory;
}
