// Toegang's ids for directory accounts: made once, stable, per directory kind, on both database drivers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { drivers, freshDb } from "@/tests/db";
import { accountIdFor, externalIdOf } from "./account-ids";

describe.each(drivers())("directory account ids (%s)", (driver) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb(driver);
  });
  afterAll(async () => {
    await handle.close();
  });

  it("gives an account the same uuid every time, and finds the directory's id back from it", async () => {
    const id = await accountIdFor(handle.db, "ad", "90d457f5-636b-43dd-aa20-85a72f0d9202");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await accountIdFor(handle.db, "ad", "90d457f5-636b-43dd-aa20-85a72f0d9202")).toBe(id);
    expect(await externalIdOf(handle.db, "ad", id)).toBe("90d457f5-636b-43dd-aa20-85a72f0d9202");
  });

  it("keeps the kinds apart, and knows no uuid it did not make", async () => {
    const ad = await accountIdFor(handle.db, "ad", "same-external-id");
    const ldap = await accountIdFor(handle.db, "ldap", "same-external-id");
    expect(ldap).not.toBe(ad);
    expect(await externalIdOf(handle.db, "ldap", ad)).toBeNull();
    expect(await externalIdOf(handle.db, "ad", "00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await externalIdOf(handle.db, "ad", "'; drop table users; --")).toBeNull();
  });

  it("agrees when several requests see a new account at the same moment", async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => accountIdFor(handle.db, "ldap", "147046aa-8104-1041-8310-d738b02178f7")));
    expect(new Set(ids).size).toBe(1);
  });
});
