// Backup and restore of the embedded database (`npm run db -- backup FILE | restore FILE`). A backup is taken while the
// portal is stopped: PGlite opens a data folder from one process only, so the backup claims the folder the way the portal
// does (a running portal makes it refuse), checkpoints, and copies the folder with PGlite's own dumpDataDir — nothing can
// write in between, so the copy is consistent. The file is a gzipped tar: manifest.json (what is inside, row counts, the
// audit chain's head), the data folder's generated secrets (hash-key, session-secret: the stored hashes and the sessions
// depend on them) and pglite.tar (the database files). It holds those secrets and every password hash: keep it as safe
// as the data folder.
import "server-only";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import { chainHead, verifyChain, type VerifyResult } from "@/lib/audit/chain";
import { HASH_KEY_FILE, SESSION_SECRET_FILE } from "@/lib/config";
import { claimDataFolder, pgliteFolder, type Db } from "./client";
import { embeddedStartOptions } from "./pglite-settings";
import { rowsOf } from "./rows";
import { readTar, writeTar } from "./tar";

export const BACKUP_FORMAT = "toegang-embedded-backup";
export const BACKUP_VERSION = 1;

export type BackupManifest = {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  /** The newest migration applied to the database (drizzle's tag), so a restore into an older portal is caught. */
  migrations: number;
  /** Rows per table, checked again after a restore. */
  tables: Record<string, number>;
  auditHead: { seq: number; hash: string };
  /** Which generated secrets of the data folder are in the file (none when HASH_KEY/SESSION_SECRET are set instead). */
  secrets: string[];
};

export type BackupResult = { manifest: BackupManifest; bytes: number };

const SECRET_FILES = [HASH_KEY_FILE, SESSION_SECRET_FILE];

async function openPglite(dir: string, loadDataDir?: Blob): Promise<{ pg: PGlite; db: Db }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const pg = new PGlite(dir, { ...embeddedStartOptions(PGlite), ...(loadDataDir ? { loadDataDir } : {}) });
  await pg.waitReady;
  return { pg, db: drizzle(pg) as unknown as Db };
}

/** Row counts of every table in the public schema, in name order. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const names = rowsOf<{ name: string }>(
    await db.execute(sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`),
  ).map((r) => r.name);
  const counts: Record<string, number> = {};
  for (const name of names) {
    const [row] = rowsOf<{ n: string }>(await db.execute(sql.raw(`select count(*)::text as n from "${name.replaceAll('"', '""')}"`)));
    counts[name] = Number(row!.n);
  }
  return counts;
}

async function migrationCount(db: Db): Promise<number> {
  try {
    const [row] = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from drizzle.__drizzle_migrations`));
    return Number(row!.n);
  } catch {
    return 0;
  }
}

/** Writes a backup of DATA_DIR's embedded database (and its generated secrets) to `file`; refuses while the folder is in use. */
export async function backupEmbedded(dataDir: string, file: string): Promise<BackupResult> {
  const dir = pgliteFolder(dataDir);
  if (!existsSync(path.join(dir, "PG_VERSION"))) throw new Error(`there is no embedded database in ${dataDir} to back up`);
  const release = claimDataFolder(dataDir);
  try {
    const { pg, db } = await openPglite(dir);
    let tarball: Buffer;
    let manifest: BackupManifest;
    try {
      // Everything written so far goes into the data files, so the restored copy starts without crash recovery.
      await pg.exec("checkpoint");
      manifest = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        migrations: await migrationCount(db),
        tables: await tableCounts(db),
        auditHead: await chainHead(db),
        secrets: SECRET_FILES.filter((name) => existsSync(path.join(dataDir, name))),
      };
      tarball = Buffer.from(await (await pg.dumpDataDir("none")).arrayBuffer());
    } finally {
      await pg.close();
    }
    const archive = gzipSync(
      writeTar([
        { name: "manifest.json", data: Buffer.from(JSON.stringify(manifest, null, 2) + "\n"), mode: 0o644 },
        ...manifest.secrets.map((name) => ({ name, data: readFileSync(path.join(dataDir, name)) })),
        { name: "pglite.tar", data: tarball },
      ]),
    );
    // Written beside the target first and renamed, so a full disk never leaves a half file under the backup's name.
    const partial = `${file}.partial-${process.pid}`;
    writeFileSync(partial, archive, { mode: 0o600 });
    renameSync(partial, file);
    return { manifest, bytes: archive.length };
  } finally {
    release();
  }
}

export type RestoreResult = {
  manifest: BackupManifest;
  /** Where the data folder's previous database and secrets were moved (never deleted), when there were any. */
  movedAside: string | null;
  audit: VerifyResult;
};

/** Reads and checks a backup file: its manifest and the parts it names. */
export function readBackup(file: string): { manifest: BackupManifest; files: Map<string, Buffer> } {
  let files: Map<string, Buffer>;
  try {
    files = readTar(gunzipSync(readFileSync(file)));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") throw new Error(`cannot read ${file} (${code})`);
    throw new Error(`${file} is not a Toegang backup (${error instanceof Error ? error.message : String(error)})`);
  }
  const raw = files.get("manifest.json");
  const manifest = raw ? (JSON.parse(raw.toString("utf8")) as BackupManifest) : null;
  if (!manifest || manifest.format !== BACKUP_FORMAT) throw new Error(`${file} is not a Toegang backup (no manifest)`);
  if (manifest.version !== BACKUP_VERSION)
    throw new Error(`${file} is a backup of format version ${manifest.version}; this portal reads version ${BACKUP_VERSION}`);
  if (!files.has("pglite.tar")) throw new Error(`${file} holds no database (pglite.tar missing)`);
  for (const name of manifest.secrets) if (!files.has(name)) throw new Error(`${file} is incomplete (${name} missing)`);
  return { manifest, files };
}

/**
 * Restores a backup into DATA_DIR: the database is unpacked into a new folder beside the current one and checked (row
 * counts as in the manifest, audit chain verified up to the manifest's head) before anything is replaced. Only then are
 * the current database and secrets moved to DATA_DIR/before-restore-<time>/ (with `replace`; without it a data folder
 * that already holds a database is refused) and the restored ones put in their place. Refuses while the folder is in use.
 */
export async function restoreEmbedded(dataDir: string, file: string, options: { replace?: boolean } = {}): Promise<RestoreResult> {
  const { manifest, files } = readBackup(file);
  const dir = pgliteFolder(dataDir);
  const present = existsSync(path.join(dir, "PG_VERSION"));
  if (present && !options.replace) {
    throw new Error(
      `${dataDir} already holds an embedded database; add --replace to restore over it (the current one is moved aside, not deleted)`,
    );
  }
  const release = claimDataFolder(dataDir);
  const staging = path.join(dataDir, `pglite.restoring-${process.pid}`);
  try {
    rmSync(staging, { recursive: true, force: true });
    const { pg, db } = await openPglite(staging, new Blob([new Uint8Array(files.get("pglite.tar")!)]));
    let audit: VerifyResult;
    try {
      const migrations = await migrationCount(db);
      const tables = await tableCounts(db);
      const differ = Object.keys({ ...tables, ...manifest.tables }).filter((t) => tables[t] !== manifest.tables[t]);
      if (differ.length) throw new Error(`the restored database does not match the backup's manifest (tables ${differ.join(", ")})`);
      if (migrations !== manifest.migrations) throw new Error("the restored database does not match the backup's manifest (migrations)");
      audit = await verifyChain(db);
      const head = await chainHead(db);
      if (head.seq !== manifest.auditHead.seq || head.hash !== manifest.auditHead.hash) {
        throw new Error("the restored audit trail does not end where the backup's manifest says");
      }
    } finally {
      await pg.close();
    }

    // What the restore replaces: the database, and each secret the backup holds unless the folder has the same one. Secrets
    // beside no database protect nothing (the CLI's own start generates them in an empty folder): those are overwritten.
    let movedAside: string | null = null;
    const replaced = present
      ? [
          path.basename(dir),
          ...manifest.secrets.filter(
            (name) => existsSync(path.join(dataDir, name)) && !readFileSync(path.join(dataDir, name)).equals(files.get(name)!),
          ),
        ]
      : [];
    if (replaced.length) {
      movedAside = path.join(dataDir, `before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`);
      mkdirSync(movedAside, { recursive: true, mode: 0o700 });
      for (const name of replaced) renameSync(path.join(dataDir, name), path.join(movedAside, name));
    }
    rmSync(dir, { recursive: true, force: true }); // a folder without a database in it (nothing to keep)
    renameSync(staging, dir);
    for (const name of manifest.secrets) writeFileSync(path.join(dataDir, name), files.get(name)!, { mode: 0o600 });
    return { manifest, movedAside, audit };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}
