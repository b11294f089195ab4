// The audit export's CSV (pure): cells quoted per RFC 4180 and defused for spreadsheets, one line per audit row.
//
// Format: UTF-8 with a byte-order mark (so Excel shows "ë" and "€" right), ";" between cells (Dutch Excel reads "," as
// the decimal mark and splits on ";"), CRLF line ends. No "sep=;" line: with it Excel ignores the byte-order mark.
import type { AuditEntry } from "./query";
import { localDateTime } from "./query-filters";

export const CSV_SEPARATOR = ";";
export const CSV_BOM = "\uFEFF";
const EOL = "\r\n";

/** The columns, in order; the header row shows their translation (Audit.csv.<column>). */
export const csvColumns = [
  "timeUtc",
  "timeLocal",
  "event",
  "eventName",
  "outcome",
  "reason",
  "reasonCode",
  "account",
  "unknownIdHash",
  "flowId",
  "ip",
  "userAgent",
  "locale",
  "details",
] as const;
export type CsvColumn = (typeof csvColumns)[number];

// OWASP's list of characters that start a formula (= + - @, tab, carriage return); a formula may also hide behind spaces.
const formulaStart = /^[\s\u00a0]*[=+\-@]|^[\t\r]/;

/**
 * One cell: text that a spreadsheet would read as a formula gets a leading apostrophe (shown as text, never run), then
 * the cell is quoted when it holds the separator, a quote or a line break, with quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (formulaStart.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(CSV_SEPARATOR) + EOL;
}

/** The file's start: byte-order mark and the translated header row. */
export function csvHeader(label: (column: CsvColumn) => string): string {
  return CSV_BOM + csvLine(csvColumns.map(label));
}

/** The words of the export's language for an event, an outcome and a reason (null: unknown, the code is shown). */
export type CsvWords = {
  eventName: (event: string) => string;
  outcome: (outcome: string) => string;
  reason: (reason: string) => string | null;
};

/** One audit row as a CSV line, with the same words as the audit page in the export's language (and the codes). */
export function csvEntry(entry: AuditEntry, words: CsvWords): string {
  const account = entry.account;
  const cells: Record<CsvColumn, string | null> = {
    timeUtc: entry.at.toISOString(),
    timeLocal: localDateTime(entry.at),
    event: entry.event,
    eventName: words.eventName(entry.event),
    outcome: words.outcome(entry.outcome),
    reason: entry.reason ? (words.reason(entry.reason) ?? entry.reason) : null,
    reasonCode: entry.reason,
    account: account?.kind === "user" ? (account.email ?? account.id) : null,
    unknownIdHash: account?.kind === "unknown" ? account.hash : null,
    flowId: entry.flowId,
    ip: entry.ip,
    userAgent: entry.userAgent,
    locale: entry.locale,
    details: entry.details ? JSON.stringify(entry.details) : null,
  };
  return csvLine(csvColumns.map((c) => cells[c]));
}
