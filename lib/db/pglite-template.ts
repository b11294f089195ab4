// A migrated, empty embedded database made once at build time (`npm run build` runs scripts/pglite-template.ts), so the
// first start on a fresh data folder loads it instead of running PostgreSQL's initdb and every migration inside
// WebAssembly — the bulk of a cold start (about 4–7 s of 8 on a loaded two-core machine; loading the template: about
// 1 s). It holds the schema only: no secret, no user, no row that differs between installations. It is used only
// when it was made by the same PGlite version from the same migrations; otherwise the start initialises as before.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";

const folder = () => path.join(process.cwd(), ".next");
const archive = () => path.join(folder(), "pglite-template.tar.gz");
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

/** The template's archive when it matches the current PGlite and migrations, else undefined. */
export function loadTemplate(migrationsFolder: string): Blob | undefined {
  try {
    if (!existsSync(archive()) || !existsSync(stampFile())) return undefined;
    if (readFileSync(stampFile(), "utf8").trim() !== templateStamp(migrationsFolder)) return undefined;
    return new Blob([readFileSync(archive())]);
  } catch {
    return undefined;
  }
}

export function saveTemplate(migrationsFolder: string, dump: Buffer): string {
  writeFileSync(archive(), dump);
  writeFileSync(stampFile(), `${templateStamp(migrationsFolder)}\n`);
  return archive();
}
