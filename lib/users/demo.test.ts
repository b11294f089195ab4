// The demo users printed at start: a changed demo password is never printed (it would not work, and the new one is private).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { freshDb } from "@/tests/db";
import { formatDemoUsers, seedDemoUsers } from "./demo";
import { setPassword } from "./service";

describe("demo users", () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb("pglite");
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("prints each demo password until it is changed, then '(changed)' instead", async () => {
    const first = await seedDemoUsers(handle.db, "flynth.nl");
    expect(first.every((u) => !u.passwordChanged)).toBe(true);
    expect(formatDemoUsers(first)).toContain("Zeilboot2026!");

    expect(await setPassword(handle.db, "jan.jansen@flynth.nl", "Golfslag2029!x")).toMatchObject({ ok: true });
    const again = await seedDemoUsers(handle.db, "flynth.nl");
    expect(again.find((u) => u.email === "jan.jansen@flynth.nl")).toMatchObject({ passwordChanged: true });
    const printed = formatDemoUsers(again);
    expect(printed).not.toContain("Zeilboot2026!");
    expect(printed).not.toContain("Golfslag2029!x");
    expect(printed).toMatch(/jan\.jansen@flynth\.nl\s+\(changed\)/);
    // The others still work with their demo passwords.
    expect(printed).toContain("Tulpenbol2026!");
  });
});
