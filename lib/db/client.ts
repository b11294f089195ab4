// Database client: postgres.js when DATABASE_URL is set, otherwise PGlite in the data folder; migrations run on open.
import "server-only";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { getConfig } from "@/lib/config";
import { onShutdown, serverBridge } from "@/lib/server-bridge";
import { EmbeddedDatabase } from "./embedded-host.mjs";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; the same query API as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbHandle = {
  db: Db;
  driver: "pglite" | "postgres";
  close: () => Promise<void>;
  /** PostgreSQL only: the pool's size and the connections the portal's work holds or waits for (lib/db/pool-usage.ts). */
  poolUsage?: () => import("./pool-usage").PoolUsage;
};

const migrationsFolder = path.join(process.cwd(), "drizzle");

export type OpenOptions = {
  databaseUrl?: string;
  /** The owner's connection (MIGRATION_DATABASE_URL): migrations run through it, then the runtime role gets its rights. */
  migrationUrl?: string;
  dataDir?: string;
  inMemory?: boolean;
  migrate?: boolean;
};

/** Opens a database (and migrates it unless told not to). Most code wants getDb() instead. */
export async function openDb(options: OpenOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    if (options.migrate !== false) await migratePostgres(options.databaseUrl, options.migrationUrl);
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
  const size = 10;
  const sql = postgres(url, { max: size, onnotice: () => {}, connect_timeout: 10 });
  const { retryReadsOnce } = await import("./read-retry");
  const { guardDeadTransactions } = await import("./dead-transaction");
  const { countPoolUsage } = await import("./pool-usage");
  const counted = countPoolUsage(
    guardDeadTransactions(
      retryReadsOnce(sql, () => console.warn("database: a pooled connection had died; the read was repeated on a new one")),
    ),
    size,
  );
  const db = drizzle(counted.sql, { schema }) as unknown as Db;
  return { db, driver: "postgres", close: () => sql.end({ timeout: 5 }), poolUsage: counted.usage };
}

async function openPglite(options: OpenOptions): Promise<DbHandle> {
  const dataDir = options.inMemory ? null : path.resolve(options.dataDir ?? getConfig().dataDir);
  const client = takeEarlyDatabase(dataDir) ?? new EmbeddedDatabase({ dataDir, migrationsFolder });
  try {
    await client.waitReady;
  } catch (error) {
    await client.close();
    throw error;
  }
  const { drizzle } = await import("drizzle-orm/pglite");
  const db = drizzle(client as never, { schema }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close() };
}

/**
 * The embedded database server/main.mjs began opening before Next.js loaded, when it is the one asked for (the same
 * folder); otherwise it is closed and the caller opens its own.
 */
function takeEarlyDatabase(dataDir: string | null): EmbeddedDatabase | null {
  const bridge = serverBridge();
  const early = bridge.embeddedDatabase;
  if (!early) return null;
  delete bridge.embeddedDatabase;
  if (early.dataDir === dataDir) return early;
  void early.close();
  return null;
}

// The embedded database's folder rules, for the portal's TypeScript (lib/db/embedded-folder.mjs).
export { claimDataFolder, pgliteFolder } from "./embedded-folder.mjs";

/**
 * Applies committed migrations on one dedicated connection, under an advisory lock so concurrent instances do not race.
 * With an owner URL they run as the owner and the runtime role (DATABASE_URL's user) gets its rights afterwards.
 * Without one, a database that is already up to date is left alone — so a runtime role that may not migrate starts
 * fine — and pending migrations are applied through DATABASE_URL, which then has to be the owner (one role, as before).
 */
async function migratePostgres(url: string, ownerUrl?: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  if (!ownerUrl && !(await hasPendingMigrations(url))) return;
  const sql = postgres(ownerUrl ?? url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select pg_advisory_lock(727001)`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
    } catch (error) {
      const { permissionDenied } = await import("./roles");
      if (!ownerUrl && permissionDenied(error)) {
        throw new Error(
          "the database has migrations to apply and DATABASE_URL's role may not apply them: run `npm run db:migrate` with MIGRATION_DATABASE_URL (the owner), or set it for the portal",
        );
      }
      throw error;
    }
    if (ownerUrl) {
      const { grantRuntimeRole, userOf } = await import("./roles");
      if (userOf(ownerUrl) !== userOf(url)) {
        const report = await grantRuntimeRole(sql, userOf(url));
        for (const warning of report.warnings) console.warn(`Database roles: ${warning}`);
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Whether drizzle/ holds a migration newer than the last one the database recorded (drizzle's own rule). */
async function hasPendingMigrations(url: string): Promise<boolean> {
  const { default: postgres } = await import("postgres");
  const { readMigrationFiles } = await import("drizzle-orm/migrator");
  const newest = readMigrationFiles({ migrationsFolder }).at(-1)?.folderMillis ?? 0;
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [table] = await sql<{ present: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
    if (!table?.present) return true;
    const [last] = await sql<{ created: string | null }[]>`select max(created_at)::text as created from drizzle.__drizzle_migrations`;
    return Number(last?.created ?? 0) < newest;
  } catch {
    return true; // cannot tell (no rights to look): let the migrator try, and fail with its own message
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
    g[globalKey] = openDb({ databaseUrl: config.databaseUrl, migrationUrl: config.migrationDatabaseUrl, dataDir: config.dataDir }).then(
      (handle) => {
        // Last step of a graceful shutdown: after the final request, the pool (or the embedded database) is closed.
        onShutdown("database", async () => {
          delete g[globalKey];
          await handle.close();
        });
        return handle;
      },
      (error: unknown) => {
        delete g[globalKey];
        throw error;
      },
    );
  }
  return g[globalKey];
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
