// The audit CSV export as a stream: keyset batches of the filtered trail, newest first, never the whole result in memory.
import "server-only";
import type { Db } from "@/lib/db/client";
import { csvEntry, csvHeader, type CsvColumn, type CsvWords } from "./export-csv";
import { auditBatch, type ResolvedFilters } from "./query";
import type { Cursor } from "./query-cursor";

export const EXPORT_BATCH_SIZE = 1000;

export type ExportLabels = CsvWords & { column: (column: CsvColumn) => string };

/** Called once when the stream ends: every row sent (complete) or the download broken off after `rows`. */
export type ExportDone = (result: { rows: number; complete: boolean }) => Promise<void>;

/**
 * A UTF-8 CSV stream of the filtered trail. Each pull reads one batch after the last row sent, so the reader's pace
 * sets the database's; rows written after the first batch are newer than it and never join the file.
 */
export function auditCsvStream(
  db: Db,
  filters: ResolvedFilters,
  labels: ExportLabels,
  done: ExportDone,
  batchSize = EXPORT_BATCH_SIZE,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let position: Cursor | null = null;
  let rows = 0;
  let started = false;
  let finished = false;
  const finish = async (complete: boolean) => {
    if (finished) return;
    finished = true;
    await done({ rows, complete });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!started) {
            started = true;
            controller.enqueue(encoder.encode(csvHeader(labels.column)));
          }
          const batch = await auditBatch(db, filters, position, batchSize);
          if (batch.entries.length) controller.enqueue(encoder.encode(batch.entries.map((e) => csvEntry(e, labels)).join("")));
          rows += batch.entries.length;
          position = batch.last;
          if (batch.entries.length < batchSize) {
            await finish(true);
            controller.close();
          }
        } catch (error) {
          await finish(false).catch(() => {});
          controller.error(error);
        }
      },
      async cancel() {
        await finish(false);
      },
    },
    { highWaterMark: 1 },
  );
}
