import { describe, expect, it } from "vitest";
import { reconfirmDue } from "./rules";

const now = new Date("2026-06-30T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe("reconfirmDue", () => {
  it("asks when the number was never confirmed", () => {
    expect(reconfirmDue(null, now, 180)).toBe(true);
  });
  it("does not ask within the period, up to its last moment", () => {
    expect(reconfirmDue(daysAgo(1), now, 180)).toBe(false);
    expect(reconfirmDue(daysAgo(180), now, 180)).toBe(false);
  });
  it("asks once the period has passed", () => {
    expect(reconfirmDue(new Date(daysAgo(180).getTime() - 1000), now, 180)).toBe(true);
    expect(reconfirmDue(daysAgo(400), now, 180)).toBe(true);
  });
  it("follows the configured number of days", () => {
    expect(reconfirmDue(daysAgo(31), now, 30)).toBe(true);
    expect(reconfirmDue(daysAgo(29), now, 30)).toBe(false);
  });
});
