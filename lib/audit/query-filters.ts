// The audit page's filters as the URL carries them: parsing and checking, the default period, and Amsterdam wall time.
import { z } from "zod";

/** Administrators read times in the organisation's zone; the database keeps UTC. */
export const AUDIT_ZONE = "Europe/Amsterdam";
/** Without a "from", the page shows the last seven calendar days (today included). */
export const DEFAULT_PERIOD_DAYS = 7;

export const outcomes = ["success", "failure", "refused", "info"] as const;
export type Outcome = (typeof outcomes)[number];

/** What the filter form sends (GET): every value a string, empty meaning "any". */
export type AuditFilterInput = {
  from: string;
  to: string;
  event: string;
  outcome: string;
  user: string;
  ip: string;
  flow: string;
};
export type FilterField = keyof AuditFilterInput;
export const filterFields: readonly FilterField[] = ["from", "to", "event", "outcome", "user", "ip", "flow"];

export type EventFilter = { kind: "exact"; name: string } | { kind: "prefix"; prefix: string };

/** Checked filters: [from, to) in UTC; null = any. The user filter is still the typed text (query.ts resolves it). */
export type AuditFilters = {
  from: Date;
  to: Date | null;
  event: EventFilter | null;
  outcome: Outcome | null;
  user: string | null;
  ip: string | null;
  flow: string | null;
};

export type FilterError = "invalidDate" | "rangeOrder" | "invalidEvent" | "invalidOutcome" | "invalidUser" | "invalidIp" | "invalidFlow";

export type ParsedFilters =
  | { ok: true; filters: AuditFilters; input: AuditFilterInput }
  | { ok: false; errors: Partial<Record<FilterField, FilterError>>; input: AuditFilterInput };

const localTime = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
// recovery.started, or a prefix ending in a dot (recovery.) — "recovery.*" is accepted and read as the prefix.
const eventName = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*\.?$/;
const noSpace = /^[^\s\u0000-\u001f\u007f]+$/;

const text = (max: number, pattern: RegExp, error: FilterError) =>
  z.string().max(max, { message: error }).regex(pattern, { message: error }).optional();

const inputSchema = z.object({
  from: z.string().regex(localTime, { message: "invalidDate" }).optional(),
  to: z.string().regex(localTime, { message: "invalidDate" }).optional(),
  event: text(80, eventName, "invalidEvent"),
  outcome: z.enum(outcomes, { message: "invalidOutcome" }).optional(),
  // Spaces allowed (a name may have them), control characters and NUL (which PostgreSQL text cannot hold) not.
  user: text(320, /^[^\u0000-\u001f\u007f]+$/, "invalidUser"),
  ip: text(64, noSpace, "invalidIp"),
  flow: text(64, /^[A-Za-z0-9-]+$/, "invalidFlow"),
});

/** The first value of a search parameter, trimmed; absent, empty and repeated-empty all mean "any". */
function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
}

/**
 * Reads the filters from the page's search parameters (or the export's). Bad values come back as message keys per
 * field, with the typed input kept so the form can show it again.
 */
export function parseAuditFilters(params: Record<string, string | string[] | undefined>, now: Date): ParsedFilters {
  const raw = Object.fromEntries(filterFields.map((f) => [f, first(params[f])])) as AuditFilterInput;
  raw.event = raw.event.replace(/\.\*$/, ".");
  if (!raw.from) raw.from = toLocalInput(defaultFrom(now));
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "")) as Partial<AuditFilterInput>;
  const errors: Partial<Record<FilterField, FilterError>> = {};
  const parsed = inputSchema.safeParse(present);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[issue.path[0] as FilterField] ??= issue.message as FilterError;
  }
  const from = raw.from && !errors.from ? fromLocalInput(raw.from, "start") : null;
  const to = raw.to && !errors.to ? fromLocalInput(raw.to, "end") : null;
  if (raw.from && !errors.from && !from) errors.from = "invalidDate";
  if (raw.to && !errors.to && !to) errors.to = "invalidDate";
  if (from && to && to <= from) errors.to = "rangeOrder";
  if (Object.keys(errors).length || !from) return { ok: false, errors, input: raw };
  return {
    ok: true,
    input: raw,
    filters: {
      from,
      to,
      event: raw.event ? (raw.event.endsWith(".") ? { kind: "prefix", prefix: raw.event } : { kind: "exact", name: raw.event }) : null,
      outcome: (raw.outcome || null) as Outcome | null,
      user: raw.user || null,
      ip: raw.ip || null,
      flow: raw.flow || null,
    },
  };
}

/** The filters as search parameters (empty ones left out), for paging links, the export link and filter links. */
export function filterSearchParams(input: AuditFilterInput, extra: Record<string, string> = {}): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of filterFields) if (input[field]) params.set(field, input[field]);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params;
}

/** Start of the day, in Amsterdam, DEFAULT_PERIOD_DAYS - 1 days before now's day. */
export function defaultFrom(now: Date): Date {
  const today = localParts(now);
  const day = new Date(Date.UTC(today.year, today.month - 1, today.day - (DEFAULT_PERIOD_DAYS - 1)));
  return zonedToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, 0, 0);
}

/**
 * "2026-05-01T10:00" (what <input type="datetime-local"> sends) as Amsterdam wall time → UTC. A "from" starts at that
 * minute (or day); a "to" includes it, so the exclusive bound is the next minute (or day). Null for impossible dates.
 */
export function fromLocalInput(value: string, edge: "start" | "end"): Date | null {
  const m = localTime.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const timed = m[4] !== undefined;
  const [hour, minute, second] = timed ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)] : [0, 0, 0];
  // The trail starts long after 1970; earlier (or far later) years are typing mistakes.
  if (year < 1970 || year > 2999) return null;
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  if (check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) return null;
  if (edge === "start") return zonedToUtc(year, month, day, hour, minute, second);
  if (!timed) return zonedToUtc(year, month, day + 1, 0, 0, 0);
  return zonedToUtc(year, month, day, hour, minute + (m[6] === undefined ? 1 : 0), second + (m[6] === undefined ? 0 : 1));
}

/** A UTC instant as the value of a datetime-local input in Amsterdam time ("2026-05-01T10:00"). */
export function toLocalInput(date: Date): string {
  const w = wallClock(date);
  return `${w.day}T${w.time.slice(0, 5)}`;
}

/** An instant as Amsterdam wall time with seconds ("2026-05-01 12:02:07"), for the CSV export. */
export function localDateTime(date: Date): string {
  const w = wallClock(date);
  return `${w.day} ${w.time}`;
}

/** The calendar day ("2026-05-01") of an instant in Amsterdam. */
export function localDay(date: Date): string {
  return wallClock(date).day;
}

function wallClock(date: Date): { day: string; time: string } {
  const p = localParts(date);
  const two = (n: number) => String(n).padStart(2, "0");
  return { day: `${p.year}-${two(p.month)}-${two(p.day)}`, time: `${two(p.hour)}:${two(p.minute)}:${two(p.second)}` };
}

const partsFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: AUDIT_ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
});

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

function localParts(date: Date): Parts {
  const parts = Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** How far Amsterdam is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(ms: number): number {
  const p = localParts(new Date(ms));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

const DAY = 86_400_000;

/**
 * Amsterdam wall time → UTC (fields may overflow; Date.UTC normalises them). In the autumn's repeated hour the first
 * occurrence is taken; a time skipped in spring is read with the winter offset, which lands just after the gap.
 */
function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const candidates = [wall - zoneOffset(wall - DAY), wall - zoneOffset(wall + DAY)].sort((a, b) => a - b);
  for (const t of candidates) if (t + zoneOffset(t) === wall) return new Date(t);
  return new Date(wall - zoneOffset(wall - DAY));
}
