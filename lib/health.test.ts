// Readiness on both drivers: ready on a migrated database; "pending" when the database lacks this build's newest
// migration; "unreachable" (quickly, and with the reason only in the log) when the database does not answer.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbHandle } from "@/lib/db/client";
import { drivers, freshDb } from "@/tests/db";
import { checkReadiness } from "./health";

describe.each(drivers())("checkReadiness (%s)", (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("is ready on a migrated database with the built-in accounts", async () => {
    expect(await checkReadiness({ db: async () => handle.db, log: () => {} })).toEqual({
      ready: true,
      checks: { database: "ok", migrations: "ok", directory: "not-configured" },
    });
  });

  it("is not ready while the newest migration is missing", async () => {
    await handle.db.execute(sql`create table drizzle.saved as select * from drizzle.__drizzle_migrations`);
    await handle.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
    );
    try {
      const result = await checkReadiness({ db: async () => handle.db, log: () => {} });
      expect(result).toEqual({ ready: false, checks: { database: "ok", migrations: "pending", directory: "not-configured" } });
    } finally {
      await handle.db.execute(sql`delete from drizzle.__drizzle_migrations`);
      await handle.db.execute(sql`insert into drizzle.__drizzle_migrations select * from drizzle.saved`);
      await handle.db.execute(sql`drop table drizzle.saved`);
    }
  });
});

describe("checkReadiness without a database", () => {
  it("answers unreachable within its deadline and logs the reason, not the caller", async () => {
    const logged: string[] = [];
    const hanging = { execute: () => new Promise(() => {}) } as unknown as Db;
    const started = Date.now();
    const result = await checkReadiness({ db: async () => hanging, log: (check) => logged.push(check) });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toEqual({ ready: false, checks: { database: "unreachable", migrations: "pending", directory: "not-configured" } });
    expect(logged).toEqual(["database"]);

    const refused = await checkReadiness({ db: async () => Promise.reject(new Error("connect ECONNREFUSED")), log: () => {} });
    expect(refused.ready).toBe(false);
    expect(refused.checks.database).toBe("unreachable");
  });
});
