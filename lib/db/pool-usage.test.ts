// The pool gauge counts what holds a PostgreSQL connection: a statement while it runs, a transaction for its whole
// duration, and what waits beyond the pool's size; finished or failed work is no longer counted.
import { describe, expect, it } from "vitest";
import { countPoolUsage } from "./pool-usage";

function fakeSql() {
  const open: Array<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  const deferred = () => new Promise((resolve, reject) => open.push({ resolve, reject }));
  const sql = {
    unsafe: (_query: string) => {
      const p = deferred();
      return { then: p.then.bind(p), values: () => p };
    },
    begin: (fn: () => unknown) => deferred().then(fn),
  };
  return { sql, open };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("database pool usage", () => {
  it("counts statements while they run and transactions until they end; beyond the size, work waits", async () => {
    const { sql, open } = fakeSql();
    const counted = countPoolUsage(sql, 2);
    expect(counted.usage()).toEqual({ size: 2, inUse: 0, waiting: 0 });
    const a = Promise.resolve(counted.sql.unsafe("select 1"));
    const b = counted.sql.unsafe("select 2").values();
    const t = counted.sql.begin(() => "committed");
    await tick();
    expect(counted.usage()).toEqual({ size: 2, inUse: 2, waiting: 1 });
    open[0]!.resolve([]);
    open[1]!.reject(new Error("statement failed"));
    await a;
    await expect(b).rejects.toThrow("statement failed");
    expect(counted.usage()).toEqual({ size: 2, inUse: 1, waiting: 0 });
    open[2]!.resolve(undefined);
    expect(await t).toBe("committed");
    expect(counted.usage()).toEqual({ size: 2, inUse: 0, waiting: 0 });
  });

  it("a statement is counted only once it is sent (awaited), as postgres.js sends it", async () => {
    const { sql } = fakeSql();
    const counted = countPoolUsage(sql, 10);
    counted.sql.unsafe("select 1");
    expect(counted.usage().inUse).toBe(0);
  });
});
