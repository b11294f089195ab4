// The embedded database on its own thread behaves as PGlite itself does for everything the portal asks of it: results,
// PostgreSQL's errors with their fields, transactions that commit or roll back, a query that waits for an open
// transaction, one opener per folder, and a clear error once it is closed. The server's early open is taken over only for
// the folder the portal asks for.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverBridge } from "@/lib/server-bridge";
import { openDb, pgliteFolder } from "./client";
import { EmbeddedDatabase } from "./embedded-host.mjs";
import { rowsOf } from "./rows";

const migrationsFolder = path.join(process.cwd(), "drizzle");
const folders: string[] = [];
const newFolder = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "toegang-embedded-"));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database's thread", () => {
  let database: EmbeddedDatabase;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = newFolder();
    database = new EmbeddedDatabase({ dataDir, migrationsFolder });
    await database.waitReady;
    await database.query("create table t (id int primary key, at timestamptz not null default now(), note text)");
  });
  afterAll(async () => {
    await database.close();
  });

  it("opens a fresh folder as a copy of the build's migrated template, and claims it", async () => {
    expect(existsSync(path.join(pgliteFolder(dataDir), "PG_VERSION"))).toBe(true);
    expect(readFileSync(path.join(dataDir, "pglite.pid"), "utf8")).toBe(String(process.pid));
    const { rows } = await database.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations");
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it("answers in object and array form, with the times as text only when drizzle's parsers are asked for", async () => {
    await database.query("insert into t (id, note) values ($1, $2)", [1, "één"]);
    const objects = await database.query<{ id: number; note: string; at: unknown }>("select id, note, at from t where id = $1", [1]);
    expect(objects.rows).toEqual([{ id: 1, note: "één", at: expect.any(Date) }]);
    const arrays = await database.query<unknown[]>("select id, at from t where id = 1", [], {
      rowMode: "array",
      parsers: { 1184: (value: string) => value },
    });
    expect(arrays.rows[0]![0]).toBe(1);
    expect(typeof arrays.rows[0]![1]).toBe("string");
    expect(arrays.fields.map((f) => f.name)).toEqual(["id", "at"]);
  });

  it("refuses a parser it cannot apply on its thread instead of ignoring it", async () => {
    await expect(database.query("select 1", [], { parsers: { 23: (value: string) => Number(value) * 2 } })).rejects.toThrow(
      /cannot apply parsers for types 23/,
    );
  });

  it("passes PostgreSQL's errors on with their code and constraint, and stays usable", async () => {
    const error = await database.query("insert into t (id) values (1)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "23505", constraint: "t_pkey", message: expect.stringMatching(/duplicate key/) });
    expect((await database.query("select 2 as two")).rows).toEqual([{ two: 2 }]);
  });

  it("commits a transaction whose callback returns, and returns its value", async () => {
    const value = await database.transaction(async (tx) => {
      await tx.query("insert into t (id) values (10)");
      return (await tx.query<{ n: number }>("select count(*)::int as n from t where id = 10")).rows[0]!.n;
    });
    expect(value).toBe(1);
    expect((await database.query("select id from t where id = 10")).rows).toEqual([{ id: 10 }]);
  });

  it("rolls back a transaction whose callback throws, and rethrows that very error", async () => {
    const thrown = new Error("changed my mind");
    await expect(
      database.transaction(async (tx) => {
        await tx.query("insert into t (id) values (11)");
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect((await database.query("select id from t where id = 11")).rows).toEqual([]);
  });

  it("rolls back when a statement in the transaction fails", async () => {
    await expect(
      database.transaction(async (tx) => {
        await tx.query("insert into t (id) values (12)");
        await tx.query("insert into t (id) values (12)");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect((await database.query("select id from t where id = 12")).rows).toEqual([]);
  });

  it("runs a query sent during an open transaction after it, as PGlite does (one connection)", async () => {
    let outside: Promise<{ rows: unknown[] }> | undefined;
    await database.transaction(async (tx) => {
      await tx.query("insert into t (id) values (13)");
      outside = database.query("select note from t where id = 13");
      await tx.query("update t set note = 'after' where id = 13");
    });
    // Sent before the update, answered after the commit: it sees the transaction's last write.
    expect((await outside!).rows).toEqual([{ note: "after" }]);
  });

  it("drives drizzle: a migrated portal database, queries and transactions", async () => {
    const handle = await openDb({ dataDir: newFolder() });
    try {
      await handle.db.transaction(async (tx) => {
        await tx.execute(sql`create table d (id int)`);
        await tx.execute(sql`insert into d values (1), (2)`);
      });
      expect(rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from d`))).toEqual([{ n: 2 }]);
    } finally {
      await handle.close();
    }
  });
});

describe("opening and closing the embedded database", () => {
  afterEach(() => {
    delete serverBridge().embeddedDatabase;
  });

  it("refuses a folder another live process has open, with the reason", async () => {
    const dataDir = newFolder();
    writeFileSync(path.join(dataDir, "pglite.pid"), String(process.ppid));
    const database = new EmbeddedDatabase({ dataDir, migrationsFolder });
    await expect(database.waitReady).rejects.toThrow(`is in use by process ${process.ppid}`);
    await database.close();
    expect(readFileSync(path.join(dataDir, "pglite.pid"), "utf8")).toBe(String(process.ppid));
  });

  it("releases the folder on close, answers later calls with a clear error, and can be closed twice", async () => {
    const dataDir = newFolder();
    const database = new EmbeddedDatabase({ dataDir, migrationsFolder });
    await database.waitReady;
    await database.close();
    await database.close();
    expect(existsSync(path.join(dataDir, "pglite.pid"))).toBe(false);
    await expect(database.query("select 1")).rejects.toThrow(/embedded database is closed/);
    const again = new EmbeddedDatabase({ dataDir, migrationsFolder });
    await again.waitReady;
    expect((await again.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    await again.close();
  });

  it("takes over the database the server began opening when it is the folder asked for", async () => {
    const dataDir = newFolder();
    const early = new EmbeddedDatabase({ dataDir, migrationsFolder });
    serverBridge().embeddedDatabase = early;
    const handle = await openDb({ dataDir });
    try {
      expect(serverBridge().embeddedDatabase).toBeUndefined();
      await handle.db.execute(sql`create table taken (id int)`);
      expect((await early.query("select count(*)::int as n from taken")).rows).toEqual([{ n: 0 }]);
    } finally {
      await handle.close();
    }
    await expect(early.query("select 1")).rejects.toThrow(/closed/);
  });

  it("closes the server's early database when the portal asks for another folder", async () => {
    const earlyDir = newFolder();
    const early = new EmbeddedDatabase({ dataDir: earlyDir, migrationsFolder });
    serverBridge().embeddedDatabase = early;
    const handle = await openDb({ dataDir: newFolder() });
    await handle.close();
    await early.close();
    await expect(early.query("select 1")).rejects.toThrow(/closed/);
    expect(existsSync(path.join(earlyDir, "pglite.pid"))).toBe(false);
  });
});
