// The spend guard on both drivers: only allowed mobile numbers, and the global caps trip the breaker exactly at their
// edge, audited once per window, counted in the database (shared by every instance), open again when the window ends.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { drivers, freshDb } from "@/tests/db";
import { admitMessage, breakerOpen } from "./spend-guard";

const MOBILE = "+31612345656";
const t0 = new Date("2026-03-02T09:00:00.000Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe.each(drivers())("spend guard on %s", (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });
  const tripped = async () =>
    handle.db.select().from(auditEvents).where(eq(auditEvents.event, "sms.breaker_tripped")).orderBy(auditEvents.id);

  it("refuses numbers that are not mobile or not in an allowed country, without counting them", async () => {
    const config = { sms: { allowedCountries: ["NL"], capPerHour: 1, capPerDay: 10 } };
    const now = at(-86_400 * 10);
    expect(await admitMessage(handle.db, "+31201234567", now, config)).toEqual({ ok: false, reason: "not-mobile" });
    expect(await admitMessage(handle.db, "+32470123456", now, config)).toEqual({ ok: false, reason: "country-not-allowed" });
    expect(await admitMessage(handle.db, "+32470123456", now, { sms: { ...config.sms, allowedCountries: ["NL", "BE"] } })).toEqual({
      ok: true,
    });
    expect(await admitMessage(handle.db, "bel me", now, config)).toEqual({ ok: false, reason: "invalid-number" });
    // The one message the hourly cap allows was the Belgian one; the refusals took nothing.
    expect(await admitMessage(handle.db, MOBILE, now, config)).toMatchObject({ ok: false, reason: "breaker" });
  });

  it("hourly cap: the last message within the cap goes, the next trips the breaker once, the next hour opens it", async () => {
    const config = { sms: { allowedCountries: ["NL"], capPerHour: 3, capPerDay: 100 } };
    const before = (await tripped()).length;
    for (let i = 0; i < 3; i++) {
      expect(await breakerOpen(handle.db, at(i), config)).toBe(false);
      expect(await admitMessage(handle.db, MOBILE, at(i), config)).toEqual({ ok: true });
    }
    expect(await breakerOpen(handle.db, at(3), config)).toBe(true);
    const refused = await admitMessage(handle.db, MOBILE, at(3), config);
    expect(refused).toEqual({ ok: false, reason: "breaker", retryAt: at(3_600) });
    expect(await admitMessage(handle.db, MOBILE, at(4), config)).toMatchObject({ ok: false, reason: "breaker" });
    expect(await admitMessage(handle.db, MOBILE, at(3_599), config)).toMatchObject({ ok: false, reason: "breaker" });
    const audited = (await tripped()).slice(before);
    expect(audited.map((r) => [r.outcome, r.reason, r.details, r.at])).toEqual([
      ["refused", "cap-per-hour", { cap: 3, until: at(3_600).toISOString() }, at(3)],
    ]);
    expect(await breakerOpen(handle.db, at(3_600), config)).toBe(false);
    expect(await admitMessage(handle.db, MOBILE, at(3_600), config)).toEqual({ ok: true });
  });

  it("daily cap: trips across hours, audited once as the daily cap, until the day's window ends", async () => {
    const day0 = 86_400 * 3;
    const config = { sms: { allowedCountries: ["NL"], capPerHour: 2, capPerDay: 4 } };
    const before = (await tripped()).length;
    const results = [];
    for (const hour of [0, 0, 1, 1, 2, 3]) results.push((await admitMessage(handle.db, MOBILE, at(day0 + hour * 3_600), config)).ok);
    expect(results).toEqual([true, true, true, true, false, false]);
    const audited = (await tripped()).slice(before);
    expect(audited.map((r) => r.reason)).toEqual(["cap-per-day"]);
    expect(await admitMessage(handle.db, MOBILE, at(day0 + 86_400), config)).toEqual({ ok: true });
  });

  it("counts every instance's sends together: parallel sends at the edge let exactly the cap through", async () => {
    const config = { sms: { allowedCountries: ["NL"], capPerHour: 5, capPerDay: 1_000 } };
    const now = at(86_400 * 6);
    const before = (await tripped()).length;
    const results = await Promise.all(Array.from({ length: 12 }, () => admitMessage(handle.db, MOBILE, now, config)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect((await tripped()).slice(before)).toHaveLength(1);
  });
});
