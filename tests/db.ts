// Test databases on both drivers: PGlite always, PostgreSQL too when TEST_DATABASE_URL or DATABASE_URL is set.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDb, type DbHandle } from "@/lib/db/client";

export type Driver = "pglite" | "postgres";

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

/** The drivers this run covers; integration tests use describe.each(drivers()). */
export function drivers(): Driver[] {
  return serverUrl ? ["pglite", "postgres"] : ["pglite"];
}

/** A new, empty database on the PostgreSQL server (for child processes that migrate it themselves); drop() removes it. */
export async function freshServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error("PostgreSQL driver requested but no TEST_DATABASE_URL/DATABASE_URL is set");
  const name = `toegang_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

/**
 * A fresh, migrated database: PGlite in a new temporary folder (a copy of the build's template, as the portal's first
 * start makes it: tests/pglite-template-setup.ts), or a new database on the PostgreSQL server; removed on close.
 */
export async function freshDb(driver: Driver): Promise<DbHandle> {
  if (driver === "pglite") {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "toegang-test-db-"));
    const handle = await openDb({ dataDir });
    return {
      ...handle,
      close: async () => {
        await handle.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = await freshServerDatabase();
  const handle = await openDb({ databaseUrl: database.url });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}
