// Database-backed rate limits on both drivers: the edge of max, the window's end, counters kept apart per key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { drivers, freshDb } from "@/tests/db";
import { checkLimit, hitLimit, type Limit } from "./rate-limit";

const t0 = new Date("2026-03-02T09:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const limit: Limit = { name: "test", max: 3, windowSeconds: 60 };

describe.each(drivers())("rate limits on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("allows max hits in a window, refuses the next with the window's end, and starts over when it has passed", async () => {
    const hits = [];
    for (const s of [0, 10, 20, 30, 59.999]) hits.push(await hitLimit(h.db, limit, "a", at(s)));
    expect(hits).toEqual([
      { allowed: true, count: 1 },
      { allowed: true, count: 2 },
      { allowed: true, count: 3 },
      { allowed: false, count: 4, retryAt: at(60) },
      { allowed: false, count: 5, retryAt: at(60) },
    ]);
    expect(await hitLimit(h.db, limit, "a", at(60))).toEqual({ allowed: true, count: 1 });
    expect(await hitLimit(h.db, limit, "a", at(61))).toEqual({ allowed: true, count: 2 });
  });

  it("checkLimit counts nothing and refuses once max is reached, until the window ends", async () => {
    expect(await checkLimit(h.db, limit, "b", t0)).toEqual({ allowed: true, count: 0 });
    await hitLimit(h.db, limit, "b", t0);
    await hitLimit(h.db, limit, "b", t0);
    expect(await checkLimit(h.db, limit, "b", at(1))).toEqual({ allowed: true, count: 2 });
    expect(await checkLimit(h.db, limit, "b", at(1))).toEqual({ allowed: true, count: 2 });
    await hitLimit(h.db, limit, "b", at(2));
    expect(await checkLimit(h.db, limit, "b", at(3))).toEqual({ allowed: false, count: 3, retryAt: at(60) });
    expect(await checkLimit(h.db, limit, "b", at(60))).toEqual({ allowed: true, count: 0 });
  });

  it("keeps names and subjects apart, and counts parallel hits exactly", async () => {
    await hitLimit(h.db, limit, "c", t0);
    expect(await hitLimit(h.db, { ...limit, name: "other" }, "c", t0)).toEqual({ allowed: true, count: 1 });
    expect(await hitLimit(h.db, limit, "d", t0)).toEqual({ allowed: true, count: 1 });
    const parallel = await Promise.all(Array.from({ length: 10 }, () => hitLimit(h.db, limit, "e", t0)));
    expect(parallel.map((r) => r.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parallel.filter((r) => r.allowed)).toHaveLength(3);
  });
});
