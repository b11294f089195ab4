// The reuse check verifies a round of hashes at a time and stops at the round with the first match.
import { describe, expect, it, vi } from "vitest";

const verified: string[] = [];
vi.mock("./hash", () => ({
  verifyPassword: async (hash: string, password: string) => {
    verified.push(hash);
    return hash === `hash-of-${password}`;
  },
}));

const { matchesAny } = await import("./history");

describe("matchesAny", () => {
  const history = Array.from({ length: 24 }, (_, i) => `hash-of-old-${i}`);

  it("stops after the round that holds the match", async () => {
    verified.length = 0;
    expect(await matchesAny(history, "old-1")).toBe(true);
    expect(verified.length).toBeLessThanOrEqual(4);
    expect(verified).toContain("hash-of-old-1");
  });

  it("verifies every hash when none matches (a new password)", async () => {
    verified.length = 0;
    expect(await matchesAny(history, "new")).toBe(false);
    expect(verified).toHaveLength(24);
  });
});
