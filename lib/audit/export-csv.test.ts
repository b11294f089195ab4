// The CSV export's cells: RFC 4180 quoting with ";" and every formula start defused, and one audit row as a line.
import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";
import { CSV_BOM, csvCell, csvColumns, csvEntry, csvHeader, csvLine, type CsvWords } from "./export-csv";
import { outcomeLabel, reasonLabel, type AuditCatalogue } from "./labels";
import { eventName } from "./query-event-names";
import type { AuditEntry } from "./query";

const words = (c: AuditCatalogue): CsvWords => ({
  eventName: (e) => eventName(c.events, e),
  outcome: (o) => outcomeLabel(c, o),
  reason: (r) => reasonLabel(c, r),
});
const dutch = words(nl.Audit);
const english = words(en.Audit);

describe("csvCell", () => {
  it.each([
    ['=HYPERLINK("http://x","klik")', `"'=HYPERLINK(""http://x"",""klik"")"`],
    ["+31612345678", "'+31612345678"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", `"'\r=1+1"`],
    ["  =1+1", "'  =1+1"],
    ["\u00a0@x", "'\u00a0@x"],
  ])("defuses %j as a formula", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("quotes separators, quotes and line breaks (quotes doubled) and leaves plain text alone", () => {
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell('zeg "hallo"')).toBe('"zeg ""hallo"""');
    expect(csvCell("regel 1\nregel 2")).toBe('"regel 1\nregel 2"');
    expect(csvCell("a,b")).toBe("a,b");
    expect(csvCell("Zoë, één")).toBe("Zoë, één");
    expect(csvCell("recovery.code_failed")).toBe("recovery.code_failed");
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(-1)).toBe("'-1");
  });

  it("joins cells with ';' and ends the line with CRLF", () => {
    expect(csvLine(["a", null, "b;c"])).toBe('a;;"b;c"\r\n');
  });
});

describe("the file", () => {
  it("starts with a byte-order mark and the translated header", () => {
    const header = csvHeader((c) => `[${c}]`);
    expect(header.startsWith(CSV_BOM)).toBe(true);
    expect(header).toBe(`${CSV_BOM}${csvColumns.map((c) => `[${c}]`).join(";")}\r\n`);
  });

  it("writes an audit row with both times, the event's name, the account or the unknown ID's hash, and the details", () => {
    const entry: AuditEntry = {
      id: 7,
      at: new Date("2026-06-01T08:02:07.123Z"),
      cursor: "c",
      event: "recovery.started",
      outcome: "success",
      reason: null,
      account: { kind: "user", id: "u-1", email: "jan.jansen@flynth.nl" },
      flowId: "f-1",
      ip: "192.0.2.7",
      userAgent: '<img src=x onerror=alert(1)>"=HYPERLINK("http://evil")',
      locale: "nl",
      details: { lastDigits: "56", send: 1 },
    };
    expect(csvEntry(entry, dutch)).toBe(
      [
        "2026-06-01T08:02:07.123Z",
        "2026-06-01 10:02:07",
        "recovery.started",
        "Herstel gestart",
        "Gelukt",
        "",
        "",
        "jan.jansen@flynth.nl",
        "",
        "f-1",
        "192.0.2.7",
        '"<img src=x onerror=alert(1)>""=HYPERLINK(""http://evil"")"',
        "nl",
        '"{""lastDigits"":""56"",""send"":1}"',
      ].join(";") + "\r\n",
    );
    const unknown = csvEntry({ ...entry, account: { kind: "unknown", hash: "ab".repeat(32) }, details: null }, dutch);
    expect(unknown.split(";").slice(7, 9)).toEqual(["", "ab".repeat(32)]);
  });

  it("says outcome and reason in the export's language, as the audit page does, with the reason's code beside it", () => {
    const entry: AuditEntry = {
      id: 8,
      at: new Date("2026-06-01T08:02:07.123Z"),
      cursor: "c",
      event: "sign_in.failed",
      outcome: "failure",
      reason: "wrong-password",
      account: null,
      flowId: null,
      ip: null,
      userAgent: null,
      locale: "en",
      details: null,
    };
    expect(csvEntry(entry, dutch).split(";").slice(3, 7)).toEqual(["Aanmelden mislukt", "Mislukt", "Onjuist wachtwoord", "wrong-password"]);
    expect(csvEntry(entry, english).split(";").slice(3, 7)).toEqual([
      en.Audit.events.sign_in.failed,
      "Failed",
      "Wrong password",
      "wrong-password",
    ]);
    expect(
      csvEntry({ ...entry, reason: "made-up" }, english)
        .split(";")
        .slice(5, 7),
    ).toEqual(["made-up", "made-up"]);
  });
});
