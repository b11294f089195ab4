// A migrated, empty embedded database made once at build time (`npm run build` runs scripts/pglite-template.ts), so the
// first start on a fresh data folder copies it instead of running PostgreSQL's initdb and every migration inside
// WebAssembly. It is a closed PGlite data folder (.next/pglite-template/), copied with the file system's own copy: about
// 0.2 s here, where unpacking an archive through PGlite's in-WebAssembly file system took about 0.8 s. It holds the
// schema only: no secret, no user, no row that differs between installations. It is used only when it was made by the
// same PGlite version from the same migrations; otherwise the start initialises as before.
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import path from "node:path";
import { createHash } from "node:crypto";
import { embeddedStartOptions } from "./pglite-settings";

const folder = () => path.join(process.cwd(), ".next");
export const templateFolder = () => path.join(folder(), "pglite-template");
const stampFile = () => path.join(folder(), "pglite-template.json");

/** What the template must have been made from: the PGlite version and every migration file's contents. */
export function templateStamp(migrationsFolder: string): string {
  const { version } = JSON.parse(
    readFileSync(path.join(process.cwd(), "node_modules", "@electric-sql", "pglite", "package.json"), "utf8"),
  ) as { version: string };
  const journal = readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8");
  const hash = createHash("sha256").update(version).update(journal);
  for (const entry of (JSON.parse(journal) as { entries: { tag: string }[] }).entries) {
    hash.update(readFileSync(path.join(migrationsFolder, `${entry.tag}.sql`)));
  }
  return hash.digest("hex");
}

/** Whether .next holds a template made by this PGlite from these migrations. */
export function templateIsCurrent(migrationsFolder: string): boolean {
  try {
    if (!existsSync(path.join(templateFolder(), "PG_VERSION")) || !existsSync(stampFile())) return false;
    return readFileSync(stampFile(), "utf8").trim() === templateStamp(migrationsFolder);
  } catch {
    return false;
  }
}

/**
 * Makes the template afresh (.next/pglite-template/ and its stamp): a new PGlite folder, every migration, closed. The
 * build's second step (scripts/pglite-template.ts) and the tests' global setup (tests/pglite-template-setup.ts).
 */
export async function makeTemplate(migrationsFolder: string): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const folder = templateFolder();
  rmSync(folder, { recursive: true, force: true });
  rmSync(stampFile(), { force: true });
  // The archive earlier builds made.
  rmSync(path.join(path.dirname(folder), "pglite-template.tar.gz"), { force: true });
  const client = new PGlite(folder, embeddedStartOptions(PGlite));
  await client.waitReady;
  await migrate(drizzle(client), { migrationsFolder });
  await client.close();
  stampTemplate(migrationsFolder);
}

/**
 * Copies the template into `dir` when there is a matching one and `dir` does not exist yet or is empty; whether it did.
 * The copy goes to a sibling first and is renamed into place, so a start cut off halfway leaves no half-copied database.
 * The system's `cp -R` copies it (70 ms for its 1 070 files and 40 MB here, where Node's cpSync took 180 ms and blocked
 * the server meanwhile, and fs.promises.cp 340 ms); Node's own copy is the fallback where there is no `cp`.
 */
export async function copyTemplate(migrationsFolder: string, dir: string): Promise<boolean> {
  try {
    const source = templateFolder();
    if (!templateIsCurrent(migrationsFolder)) return false;
    if (existsSync(dir) && readdirSync(dir).length > 0) return false;
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    await promisify(execFile)("cp", ["-R", source, partial]).catch(() => {
      rmSync(partial, { recursive: true, force: true });
      cpSync(source, partial, { recursive: true });
    });
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    return true;
  } catch {
    return false;
  }
}

/** Marks the folder scripts/pglite-template.ts has just made as the template of these migrations. */
export function stampTemplate(migrationsFolder: string): void {
  writeFileSync(stampFile(), `${templateStamp(migrationsFolder)}\n`);
}
