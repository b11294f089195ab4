// The audit filters as the URL carries them: defaults, Amsterdam wall time (summer, winter and the changes), and refusals.
import { describe, expect, it } from "vitest";
import { defaultFrom, filterSearchParams, fromLocalInput, localDateTime, localDay, parseAuditFilters, toLocalInput } from "./query-filters";

// A Thursday in summer time (UTC+2).
const now = new Date("2026-06-18T10:30:00Z");

describe("parseAuditFilters", () => {
  it("defaults to the last seven Amsterdam days, today included, and shows that start in the form", () => {
    const parsed = parseAuditFilters({}, now);
    expect(parsed).toEqual({
      ok: true,
      input: { from: "2026-06-12T00:00", to: "", event: "", outcome: "", user: "", ip: "", flow: "" },
      filters: { from: new Date("2026-06-11T22:00:00Z"), to: null, event: null, outcome: null, user: null, ip: null, flow: null },
    });
  });

  it("reads every filter, trimmed; an event ending in a dot (or .*) is a prefix", () => {
    const parsed = parseAuditFilters(
      {
        from: "2026-06-01",
        to: "2026-06-01T12:00",
        event: " recovery.* ",
        outcome: "failure",
        user: " Jan.Jansen@flynth.nl ",
        ip: "192.0.2.7",
        flow: "0b6e-42",
      },
      now,
    );
    expect(parsed.ok && parsed.filters).toEqual({
      from: new Date("2026-05-31T22:00:00Z"),
      to: new Date("2026-06-01T10:01:00Z"),
      event: { kind: "prefix", prefix: "recovery." },
      outcome: "failure",
      user: "Jan.Jansen@flynth.nl",
      ip: "192.0.2.7",
      flow: "0b6e-42",
    });
    expect(parseAuditFilters({ event: "password.reset" }, now)).toMatchObject({
      filters: { event: { kind: "exact", name: "password.reset" } },
    });
  });

  it("takes the first of repeated parameters and treats empty ones as absent", () => {
    const parsed = parseAuditFilters({ outcome: ["refused", "success"], ip: "", user: ["", "x"] }, now);
    expect(parsed.ok && parsed.filters).toMatchObject({ outcome: "refused", ip: null, user: null });
  });

  it.each([
    [{ from: "gisteren" }, { from: "invalidDate" }],
    [{ from: "2026-02-30" }, { from: "invalidDate" }],
    [{ from: "0001-01-01" }, { from: "invalidDate" }],
    [{ to: "2026-06-01T25:00" }, { to: "invalidDate" }],
    [{ from: "2026-06-02", to: "2026-06-01" }, { to: "rangeOrder" }],
    [{ event: "Recovery.Started" }, { event: "invalidEvent" }],
    [{ event: "recovery..started" }, { event: "invalidEvent" }],
    [{ event: "recovery' or 1=1" }, { event: "invalidEvent" }],
    [{ outcome: "maybe" }, { outcome: "invalidOutcome" }],
    [{ user: "x".repeat(321) }, { user: "invalidUser" }],
    [{ user: "jan\u0000@example.nl" }, { user: "invalidUser" }],
    [{ user: "jan\u001b[2J" }, { user: "invalidUser" }],
    [{ ip: "10.0.0.1 or 1=1" }, { ip: "invalidIp" }],
    [{ flow: "<script>" }, { flow: "invalidFlow" }],
  ])("refuses %j with a message key per field, keeping what was typed", (params, errors) => {
    const parsed = parseAuditFilters(params, now);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual(errors);
    for (const [field, value] of Object.entries(params)) expect(parsed.input[field as keyof typeof parsed.input]).toBe(value);
  });
});

describe("Amsterdam wall time", () => {
  it("reads winter (UTC+1) and summer (UTC+2) times, a 'to' including its minute or day", () => {
    expect(fromLocalInput("2026-01-15T09:00", "start")).toEqual(new Date("2026-01-15T08:00:00Z"));
    expect(fromLocalInput("2026-01-15T09:00", "end")).toEqual(new Date("2026-01-15T08:01:00Z"));
    expect(fromLocalInput("2026-01-15T09:00:30", "end")).toEqual(new Date("2026-01-15T08:00:31Z"));
    expect(fromLocalInput("2026-07-15", "start")).toEqual(new Date("2026-07-14T22:00:00Z"));
    expect(fromLocalInput("2026-07-15", "end")).toEqual(new Date("2026-07-15T22:00:00Z"));
    expect(fromLocalInput("2026-12-31", "end")).toEqual(new Date("2026-12-31T23:00:00Z"));
  });

  it("takes the first of the autumn's repeated hour and moves a skipped spring time past the gap", () => {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    expect(fromLocalInput("2026-10-25T02:30", "start")).toEqual(new Date("2026-10-25T00:30:00Z"));
    expect(fromLocalInput("2026-10-25T03:30", "start")).toEqual(new Date("2026-10-25T02:30:00Z"));
    // 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist.
    expect(fromLocalInput("2026-03-29T02:30", "start")).toEqual(new Date("2026-03-29T01:30:00Z"));
    expect(fromLocalInput("2026-03-29T01:59", "start")).toEqual(new Date("2026-03-29T00:59:00Z"));
    expect(fromLocalInput("2026-03-29T03:00", "start")).toEqual(new Date("2026-03-29T01:00:00Z"));
  });

  it("writes instants back as Amsterdam wall time for the form, the CSV and the chart's days", () => {
    expect(toLocalInput(new Date("2026-10-25T00:30:00Z"))).toBe("2026-10-25T02:30");
    expect(toLocalInput(new Date("2026-10-25T01:30:00Z"))).toBe("2026-10-25T02:30");
    expect(localDateTime(new Date("2026-01-15T08:00:07.9Z"))).toBe("2026-01-15 09:00:07");
    expect(localDay(new Date("2026-06-30T22:30:00Z"))).toBe("2026-07-01");
    expect(defaultFrom(new Date("2026-03-30T21:59:00Z"))).toEqual(new Date("2026-03-23T23:00:00Z"));
  });
});

describe("filterSearchParams", () => {
  it("carries the set filters (and paging) into links, leaving empty ones out", () => {
    const parsed = parseAuditFilters({ user: "jan@flynth.nl", event: "recovery.", ip: "" }, now);
    expect(filterSearchParams(parsed.input, { before: "abc" }).toString()).toBe(
      "from=2026-06-12T00%3A00&event=recovery.&user=jan%40flynth.nl&before=abc",
    );
  });
});
