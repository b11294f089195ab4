// The CSV export stream on both drivers: every matching row once, newest first, in batches read only as the reader asks.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { drivers, freshDb } from "@/tests/db";
import { CSV_BOM, csvColumns } from "./export-csv";
import { auditCsvStream, type ExportLabels } from "./export";
import type { ResolvedFilters } from "./query";

const MATCHING = 1_234;
const filters: ResolvedFilters = {
  from: new Date("2026-01-01T00:00:00Z"),
  to: null,
  event: null,
  outcome: null,
  user: null,
  ip: "198.51.100.9",
  flow: null,
};
const labels: ExportLabels = {
  column: (c) => c.toUpperCase(),
  eventName: (e) => `name of ${e}`,
  outcome: (o) => `outcome ${o}`,
  reason: () => null,
};

describe.each(drivers())("audit CSV export on %s", (driver) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await freshDb(driver);
    // Matching rows from one IP between rows from another, one a second (the last few share a time), each its own flow id.
    await h.db.execute(sql`
      insert into audit_events (at, event, outcome, ip, flow_id, user_agent)
      select '2026-02-01T00:00:00Z'::timestamptz + least(g, ${MATCHING * 2 - 5}) * interval '1 second', 'sign_in.failed', 'failure',
             case when g % 2 = 0 then '198.51.100.9' else '203.0.113.1' end, 'f-' || g, '=cmd|'' /C calc''!A0'
      from generate_series(0, ${MATCHING * 2 - 1}) g`);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  }

  it("streams every matching row exactly once, newest first, after a BOM and the header, and reports the count", async () => {
    const done: { rows: number; complete: boolean }[] = [];
    const text = await readAll(auditCsvStream(h.db, filters, labels, async (r) => void done.push(r), 100));
    expect(text.startsWith(CSV_BOM)).toBe(true);
    const lines = text.slice(1).split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe(csvColumns.map((c) => c.toUpperCase()).join(";"));
    const rows = lines.slice(1).map((line) => line.split(";"));
    expect(rows).toHaveLength(MATCHING);
    const expected = rowsOf<{ flow: string }>(
      await h.db.execute(sql`select flow_id as flow from audit_events where ip = '198.51.100.9' order by at desc, id desc`),
    );
    expect(rows.map((r) => r[csvColumns.indexOf("flowId")])).toEqual(expected.map((r) => r.flow));
    expect(rows[0]![0]).toBe(
      `2026-02-01T00:${String(Math.floor((MATCHING * 2 - 5) / 60)).padStart(2, "0")}:${String((MATCHING * 2 - 5) % 60).padStart(2, "0")}.000Z`,
    );
    expect(new Set(rows.map((r) => r[csvColumns.indexOf("ip")]))).toEqual(new Set(["198.51.100.9"]));
    expect(rows[0]!.slice(2, 5)).toEqual(["sign_in.failed", "name of sign_in.failed", "outcome failure"]);
    // The user agent starts with "=": defused, never a formula.
    expect(rows[0]![csvColumns.indexOf("userAgent")]).toBe("'=cmd|' /C calc'!A0");
    expect(done).toEqual([{ rows: MATCHING, complete: true }]);
  });

  it("reads batch by batch as the reader asks, and reports a broken-off download as incomplete", async () => {
    const done: { rows: number; complete: boolean }[] = [];
    const reader = auditCsvStream(h.db, filters, labels, async (r) => void done.push(r), 100).getReader();
    const first = await reader.read();
    expect(new TextDecoder("utf-8", { ignoreBOM: true }).decode(first.value)).toMatch(/^\uFEFFTIMEUTC;/);
    const second = await reader.read();
    expect(new TextDecoder().decode(second.value).split("\r\n").filter(Boolean)).toHaveLength(100);
    await reader.cancel();
    expect(done).toHaveLength(1);
    expect(done[0]!.complete).toBe(false);
    // At most the batch asked for and the one read ahead: never the whole result.
    expect(done[0]!.rows).toBeLessThanOrEqual(200);
  });

  it("ends with just the header when nothing matches", async () => {
    const done: { rows: number; complete: boolean }[] = [];
    const text = await readAll(auditCsvStream(h.db, { ...filters, ip: "192.0.2.1" }, labels, async (r) => void done.push(r)));
    expect(text.split("\r\n")).toHaveLength(2);
    expect(done).toEqual([{ rows: 0, complete: true }]);
  });
});
