// Housekeeping rounds: expired state goes, live state stays, and with several instances only the one holding the
// advisory lock does a round (the others skip it rather than wait).
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import { hitLimit } from "@/lib/limits/rate-limit";
import { openDb } from "@/lib/db/client";
import { drivers, freshDb, freshServerDatabase } from "@/tests/db";
import { HOUSEKEEPING_LOCK, housekeepingRound } from "./housekeeping";

describe.each(drivers())("housekeepingRound (%s)", (driver) => {
  let handle: DbHandle;
  let url: string | undefined;
  let drop = async () => {};
  beforeAll(async () => {
    if (driver === "postgres") {
      const database = await freshServerDatabase();
      url = database.url;
      drop = database.drop;
      handle = await openDb({ databaseUrl: url });
    } else {
      handle = await freshDb("pglite");
    }
  });
  afterAll(async () => {
    await handle?.close();
    await drop();
  });

  it("removes windows that ended over an hour ago and keeps the ones still counting", async () => {
    const now = new Date();
    const limit = { name: "housekeeping-test", max: 5, windowSeconds: 60 };
    await hitLimit(handle.db, limit, "old", new Date(now.getTime() - 3 * 3_600_000));
    await hitLimit(handle.db, limit, "live", now);
    const result = await housekeepingRound(handle.db, now);
    expect(result?.rateLimits).toBe(1);
    const keys = (await handle.db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
    expect(keys).toContain("housekeeping-test:live");
    expect(keys).not.toContain("housekeeping-test:old");
  });
});

// Several instances need a server: PGlite is one process.
describe.each(drivers().filter((d) => d === "postgres"))("housekeepingRound across instances (%s)", () => {
  let handle: DbHandle;
  let url: string;
  let drop = async () => {};
  beforeAll(async () => {
    const database = await freshServerDatabase();
    url = database.url;
    drop = database.drop;
    handle = await openDb({ databaseUrl: url });
  });
  afterAll(async () => {
    await handle?.close();
    await drop();
  });

  it("skips the round while another instance holds the lock", async () => {
    const other = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await other`select pg_advisory_lock(${HOUSEKEEPING_LOCK})`;
      expect(await housekeepingRound(handle.db)).toBeNull();
      await other`select pg_advisory_unlock(${HOUSEKEEPING_LOCK})`;
      expect(await housekeepingRound(handle.db)).not.toBeNull();
    } finally {
      await other.end();
    }
    // The lock is the transaction's: nothing stays held after a round.
    const [row] = (await handle.db.execute(
      sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = ${HOUSEKEEPING_LOCK}`,
    )) as unknown as {
      n: number;
    }[];
    expect(row?.n).toBe(0);
  });
});
