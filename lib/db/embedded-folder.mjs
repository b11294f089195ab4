// The embedded database's files: where they live in DATA_DIR, who may open them, how PostgreSQL starts on them, and the
// build's migrated template a fresh folder starts from. Plain JavaScript because the server (server/main.mjs) opens the
// embedded database before Next.js loads (lib/db/embedded-host.mjs); the portal's TypeScript imports the same rules
// (types in embedded-folder.d.mts).
//
// Shared buffers: PGlite keeps PostgreSQL's default of 128 MB, which it allocates and initialises inside WebAssembly at
// every start: on this 2-core machine a start on the build's template took 1.09–1.15 s with 128 MB, 0.68–0.71 s with
// 16 MB (8 MB was no faster, 32 MB 0.82 s), and the process's resident memory after opening fell from about 290 MB to
// 171 MB. The embedded database is for a single small installation; its files stay in the operating system's page cache
// besides. Installations that outgrow it use PostgreSQL (DATABASE_URL), where the server's own settings apply.
//
// The template (.next/pglite-template/, made by `npm run build`, lib/db/pglite-template.ts): a migrated, empty embedded
// database, so the first start on a fresh data folder copies it instead of running PostgreSQL's initdb and every
// migration inside WebAssembly. It holds the schema only: no secret, no user, no row that differs between installations.
// It is used only when it was made by the same PGlite version from the same migrations.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

/** DATA_DIR when it is not set (lib/config.ts). */
export const DEFAULT_DATA_DIR = ".data";

export const EMBEDDED_SHARED_BUFFERS = "16MB";

/** Options for `new PGlite(dir, …)` wherever the portal opens its embedded database (the portal, the template, backups). */
export function embeddedStartOptions(pglite) {
  return { startParams: [...pglite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`] };
}

/** Where the embedded database's files live inside DATA_DIR. */
export function pgliteFolder(dataDir) {
  return path.join(dataDir, "pglite");
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** PGlite may be opened by one process only: a pid file turns a second opener into a clear error, not corruption. */
export function claimDataFolder(dataDir) {
  mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, "pglite.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${pid} (is the portal running?). Stop it first, or set DATABASE_URL to use PostgreSQL.`,
      );
    }
  }
  writeFileSync(pidFile, String(process.pid));
  const release = () => {
    try {
      if (readFileSync(pidFile, "utf8").trim() === String(process.pid)) rmSync(pidFile);
    } catch {
      /* already gone */
    }
  };
  process.once("exit", release);
  return release;
}

const buildFolder = () => path.join(process.cwd(), ".next");
export const templateFolder = () => path.join(buildFolder(), "pglite-template");
const stampFile = () => path.join(buildFolder(), "pglite-template.json");

/** What the template must have been made from: the PGlite version and every migration file's contents. */
export function templateStamp(migrationsFolder) {
  const { version } = JSON.parse(readFileSync(path.join(process.cwd(), "node_modules", "@electric-sql", "pglite", "package.json"), "utf8"));
  const journal = readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8");
  const hash = createHash("sha256").update(version).update(journal);
  for (const entry of JSON.parse(journal).entries) {
    hash.update(readFileSync(path.join(migrationsFolder, `${entry.tag}.sql`)));
  }
  return hash.digest("hex");
}

/** Whether .next holds a template made by this PGlite from these migrations. */
export function templateIsCurrent(migrationsFolder) {
  try {
    if (!existsSync(path.join(templateFolder(), "PG_VERSION")) || !existsSync(stampFile())) return false;
    return readFileSync(stampFile(), "utf8").trim() === templateStamp(migrationsFolder);
  } catch {
    return false;
  }
}

/** Marks the folder scripts/pglite-template.ts has just made as the template of these migrations. */
export function stampTemplate(migrationsFolder) {
  writeFileSync(stampFile(), `${templateStamp(migrationsFolder)}\n`);
}

/** Removes the template and its stamp (before a new one is made). */
export function removeTemplate() {
  rmSync(templateFolder(), { recursive: true, force: true });
  rmSync(stampFile(), { force: true });
  // The archive earlier builds made.
  rmSync(path.join(buildFolder(), "pglite-template.tar.gz"), { force: true });
}

/**
 * Copies the template into `dir` when there is a matching one and `dir` does not exist yet or is empty; whether it did.
 * The copy goes to a sibling first and is renamed into place, so a start cut off halfway leaves no half-copied database.
 * The system's `cp -R` copies it (its 470 files and 25 MB in about 0.1 s here, most of it creating the files), on the
 * embedded database's thread while the server loads; Node's own copy is the fallback where there is no `cp`.
 */
export async function copyTemplate(migrationsFolder, dir) {
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
