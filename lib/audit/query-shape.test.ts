// The chart's bars (every day of the period, weeks for long periods) and a timeline's durations.
import { describe, expect, it } from "vitest";
import { chartBars, formatDuration, withDurations } from "./query-shape";

describe("chartBars", () => {
  it("has a bar for every Amsterdam day of the period, zero where nothing happened", () => {
    const from = new Date("2026-06-11T22:00:00Z"); // 12 June, 00:00 in Amsterdam
    const now = new Date("2026-06-18T10:30:00Z");
    const chart = chartBars(
      [
        { day: "2026-06-13", events: 5, problems: 2 },
        { day: "2026-06-18", events: 1, problems: 0 },
      ],
      from,
      null,
      now,
    );
    expect(chart.unit).toBe("day");
    expect(chart.bars.map((b) => b.start)).toEqual([
      "2026-06-12",
      "2026-06-13",
      "2026-06-14",
      "2026-06-15",
      "2026-06-16",
      "2026-06-17",
      "2026-06-18",
    ]);
    expect(chart.bars.map((b) => b.events)).toEqual([0, 5, 0, 0, 0, 0, 1]);
    expect(chart.bars[1]).toEqual({ start: "2026-06-13", events: 5, problems: 2 });
    expect(chart.max).toBe(5);
  });

  it("ends with the last day before 'to' (an exclusive bound) and keeps one bar for a period within one day", () => {
    const chart = chartBars([], new Date("2026-06-11T22:00:00Z"), new Date("2026-06-13T22:00:00Z"), new Date("2026-07-01T00:00:00Z"));
    expect(chart.bars.map((b) => b.start)).toEqual(["2026-06-12", "2026-06-13"]);
    expect(chart.max).toBe(0);
    const hour = chartBars([], new Date("2026-06-12T08:00:00Z"), new Date("2026-06-12T09:00:00Z"), new Date("2026-07-01T00:00:00Z"));
    expect(hour.bars.map((b) => b.start)).toEqual(["2026-06-12"]);
  });

  it("stops at today when 'to' lies in the future, and groups a period of years by month", () => {
    const now = new Date("2026-06-18T10:30:00Z");
    const future = chartBars([], new Date("2026-06-15T22:00:00Z"), new Date("2030-01-01T00:00:00Z"), now);
    expect(future.bars.map((b) => b.start)).toEqual(["2026-06-16", "2026-06-17", "2026-06-18"]);
    const years = chartBars(
      [
        { day: "2025-02-28", events: 4, problems: 1 },
        { day: "2025-02-01", events: 1, problems: 0 },
      ],
      new Date("2024-12-31T23:00:00Z"),
      null,
      now,
    );
    expect(years.unit).toBe("month");
    expect(years.bars).toHaveLength(18);
    expect(years.bars[1]).toEqual({ start: "2025-02-01", events: 5, problems: 1 });
    expect(years.bars.at(-1)!.start).toBe("2026-06-01");
  });

  it("groups a long period into weeks starting on Monday", () => {
    const counts = [
      { day: "2026-01-04", events: 1, problems: 1 }, // a Sunday
      { day: "2026-01-05", events: 2, problems: 0 }, // the next Monday
      { day: "2026-01-11", events: 3, problems: 1 },
    ];
    const chart = chartBars(counts, new Date("2025-12-31T23:00:00Z"), new Date("2026-03-31T22:00:00Z"), new Date("2026-06-01T00:00:00Z"));
    expect(chart.unit).toBe("week");
    expect(chart.bars[0]).toEqual({ start: "2025-12-29", events: 1, problems: 1 });
    expect(chart.bars[1]).toEqual({ start: "2026-01-05", events: 5, problems: 1 });
    expect(chart.bars.at(-1)!.start).toBe("2026-03-30");
    expect(chart.bars.every((b) => new Date(`${b.start}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
  });
});

describe("timeline durations", () => {
  it("gives each step the time since the start and since the step before", () => {
    const at = (s: number) => ({ at: new Date(Date.UTC(2026, 5, 1, 10, 0, 0) + s * 1000), name: `t${s}` });
    expect(withDurations([at(0), at(4.25), at(70), at(70)]).map((s) => [s.name, s.sinceStartMs, s.sincePreviousMs])).toEqual([
      ["t0", 0, 0],
      ["t4.25", 4250, 4250],
      ["t70", 70_000, 65_750],
      ["t70", 70_000, 0],
    ]);
    expect(withDurations([])).toEqual([]);
  });

  it.each([
    [0, "nl", "0,0 s"],
    [4_250, "nl", "4,3 s"],
    [4_250, "en", "4.3 s"],
    [12_400, "nl", "12 s"],
    [60_000, "nl", "1 min"],
    [185_000, "nl", "3 min 5 s"],
    [3_720_000, "en", "1 h 2 min"],
    [3 * 86_400_000, "en", "3 d"],
  ])("formats %i ms in %s as %s", (ms, locale, text) => {
    expect(formatDuration(ms, locale)).toBe(text);
  });
});
