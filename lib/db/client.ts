// Database client: postgres.js when DATABASE_URL is set, otherwise PGlite in the data folder; migrations run on open.
import "server-only";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { getConfig } from "@/lib/config";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; the same query API as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbHandle = { db: Db; driver: "pglite" | "postgres"; close: () => Promise<void> };

const migrationsFolder = path.join(process.cwd(), "drizzle");

export type OpenOptions = { databaseUrl?: string; dataDir?: string; inMemory?: boolean; migrate?: boolean };

/** Opens a database (and migrates it unless told not to). Most code wants getDb() instead. */
export async function openDb(options: OpenOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    if (options.migrate !== false) await migratePostgres(options.databaseUrl);
    return openPostgres(options.databaseUrl);
  }
  const handle = await openPglite(options);
  if (options.migrate !== false) {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder });
  }
  return handle;
}

async function openPostgres(url: string): Promise<DbHandle> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const sql = postgres(url, { max: 10, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle(sql, { schema }) as unknown as Db;
  return { db, driver: "postgres", close: () => sql.end({ timeout: 5 }) };
}

async function openPglite(options: OpenOptions): Promise<DbHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let release = () => {};
  let client;
  if (options.inMemory) {
    client = new PGlite();
  } else {
    const dir = path.join(options.dataDir ?? getConfig().dataDir, "pglite");
    release = claimDataFolder(path.dirname(dir));
    client = new PGlite(dir);
  }
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    close: async () => {
      await client.close();
      release();
    },
  };
}

/** PGlite may be opened by one process only: a pid file turns a second opener into a clear error, not corruption. */
function claimDataFolder(dataDir: string): () => void {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Applies committed migrations on one dedicated connection, under an advisory lock so concurrent instances do not race. */
async function migratePostgres(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select pg_advisory_lock(727001)`;
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const globalKey = Symbol.for("toegang.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<DbHandle> };

/** The process-wide database, opened and migrated once (shared across Next.js bundles through globalThis). */
export function getDbHandle(): Promise<DbHandle> {
  const g = globalThis as GlobalWithDb;
  if (!g[globalKey]) {
    const config = getConfig();
    g[globalKey] = openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((error: unknown) => {
      delete g[globalKey];
      throw error;
    });
  }
  return g[globalKey];
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
