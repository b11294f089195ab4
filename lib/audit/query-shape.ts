// Shaping query results for the audit pages (pure): the chart's bars with empty days filled in, and a timeline's durations.
import { localDay } from "./query-filters";

/** Up to this many days the chart has a bar per day, up to MAX_WEEK_DAYS one per week (Monday on), beyond that per month. */
export const MAX_DAY_BARS = 62;
export const MAX_WEEK_DAYS = 371;

export type Bar = { start: string; events: number; problems: number };
export type ChartUnit = "day" | "week" | "month";
export type Chart = { unit: ChartUnit; bars: Bar[]; max: number };

const DAY = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY;
const dayString = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/** The first day of the bar a day belongs to. 1970-01-01 (day 0) was a Thursday: (n + 3) % 7 is days since Monday. */
function barStart(n: number, unit: ChartUnit): string {
  if (unit === "day") return dayString(n);
  if (unit === "week") return dayString(n - ((n + 3) % 7));
  return `${dayString(n).slice(0, 7)}-01`;
}

/**
 * Bars for every Amsterdam day of [from, to), up to today, zero where nothing happened, grouped by week or month when
 * the period is long (so even a period of decades stays a table of a few hundred rows). Counts come from auditSummary.
 */
export function chartBars(counts: { day: string; events: number; problems: number }[], from: Date, to: Date | null, now: Date): Chart {
  const first = dayNumber(localDay(from));
  const last = Math.max(first, dayNumber(localDay(new Date(Math.min((to ?? now).getTime() - 1, now.getTime())))));
  const days = last - first + 1;
  const unit: ChartUnit = days <= MAX_DAY_BARS ? "day" : days <= MAX_WEEK_DAYS ? "week" : "month";
  const byDay = new Map(counts.map((c) => [c.day, c]));
  const bars = new Map<string, Bar>();
  for (let n = first; n <= last; n++) {
    const start = barStart(n, unit);
    const bar = bars.get(start) ?? { start, events: 0, problems: 0 };
    const count = byDay.get(dayString(n));
    bar.events += count?.events ?? 0;
    bar.problems += count?.problems ?? 0;
    bars.set(start, bar);
  }
  const list = [...bars.values()];
  return { unit, bars: list, max: Math.max(0, ...list.map((b) => b.events)) };
}

export type TimedStep<T> = T & { sinceStartMs: number; sincePreviousMs: number };

/** Each step of a timeline with the time since the first step and since the step before it. */
export function withDurations<T extends { at: Date }>(steps: T[]): TimedStep<T>[] {
  const start = steps[0]?.at.getTime() ?? 0;
  return steps.map((step, i) => ({
    ...step,
    sinceStartMs: step.at.getTime() - start,
    sincePreviousMs: i === 0 ? 0 : step.at.getTime() - steps[i - 1]!.at.getTime(),
  }));
}

/** A duration as the timeline shows it: "0,4 s", "12 s", "3 min 5 s", "1 h 2 min" (the decimal mark per locale). */
export function formatDuration(ms: number, locale: string): string {
  if (ms < 10_000) return `${(ms / 1000).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.round(s / 60);
  if (m < 48 * 60) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${Math.round(m / 1440)} d`;
}
