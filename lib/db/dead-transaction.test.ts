// A transaction whose connection dies while it runs (the backend terminated, the server restarted, a proxy dropping
// the connection) must fail that one request with a connection error, and nothing else. postgres.js 3.4.9 queues the
// next statement on such a connection (the caller's next query, or its own COMMIT/ROLLBACK) for a write on the closed
// socket, which throws an uncaught TypeError from a timer (connection.js:255, nextWrite) and would end the portal.
// lib/db/dead-transaction.ts keeps those statements from being sent; these tests see the process survive and the pool
// carry on.
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { drivers, freshDb } from "@/tests/db";

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

describe.skipIf(!drivers().includes("postgres"))("a transaction whose connection dies (PostgreSQL)", () => {
  let handle: DbHandle;
  let killer: postgres.Sql;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    handle = await freshDb("postgres");
    killer = postgres(serverUrl!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await killer?.end();
    await handle?.close();
  });
  // Vitest reports an uncaught exception after the test that caused it; listening here ties it to its test.
  beforeEach(() => {
    uncaught.length = 0;
    process.on("uncaughtException", onUncaught);
  });
  afterEach(() => {
    process.off("uncaughtException", onUncaught);
  });

  const terminate = async (pid: number) => {
    await killer`select pg_terminate_backend(${pid})`;
  };
  const pidOf = async (tx: { execute: DbHandle["db"]["execute"] }) =>
    Number(((await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as Array<{ pid: number }>)[0]!.pid);
  /** Long enough for the driver's queued write (setImmediate) and the socket's close to have happened. */
  const settle = () => new Promise((r) => setTimeout(r, 200));

  it("killed while the transaction waits between statements: the next statement fails, the process does not", async () => {
    const attempt = handle.db.transaction(async (tx) => {
      await tx.execute(sql`create temporary table if not exists scratch (n int)`);
      await terminate(await pidOf(tx));
      // The request's own work between two statements (hashing a password, a directory call).
      await settle();
      await tx.execute(sql`insert into scratch values (1)`);
    });
    await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|CONNECTION_DESTROYED|57P01)$/) });
    await settle();
    expect(uncaught).toEqual([]);
    // The pool replaces the dead connection: the next request works.
    expect(await handle.db.execute(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it("killed after the transaction's last statement: the commit fails, the process does not", async () => {
    const attempt = handle.db.transaction(async (tx) => {
      await terminate(await pidOf(tx));
      await settle();
    });
    await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|CONNECTION_DESTROYED|57P01)$/) });
    await settle();
    expect(uncaught).toEqual([]);
    expect(await handle.db.execute(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it("killed while a statement of the transaction runs: that statement fails, the process does not", async () => {
    const attempt = handle.db.transaction(async (tx) => {
      const pid = await pidOf(tx);
      const slow = tx.execute(sql`select pg_sleep(5)`);
      await new Promise((r) => setTimeout(r, 100));
      await terminate(pid);
      await slow;
    });
    await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|CONNECTION_DESTROYED|57P01)$/) });
    await settle();
    expect(uncaught).toEqual([]);
    expect(await handle.db.execute(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it("a caller that catches the dead connection's error and tries again inside the transaction does not end the process", async () => {
    const attempt = handle.db.transaction(async (tx) => {
      await terminate(await pidOf(tx));
      await settle();
      await tx.execute(sql`select 1`).catch(() => {});
      await tx.execute(sql`select 2`);
    });
    await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|CONNECTION_DESTROYED|57P01)$/) });
    await settle();
    expect(uncaught).toEqual([]);
    expect(await handle.db.execute(sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it("transactions on healthy connections still commit and roll back", async () => {
    await handle.db.execute(sql`create table if not exists kept (n int)`);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`insert into kept values (1)`);
    });
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into kept values (2)`);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await handle.db.execute(sql`select n from kept order by n`)).toEqual([{ n: 1 }]);
  });
});
