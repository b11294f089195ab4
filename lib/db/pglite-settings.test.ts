import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freshDb } from "@/tests/db";
import { rowsOf } from "./rows";

describe("the embedded database's settings", () => {
  it("starts with a 16 MB shared buffer pool, not PostgreSQL's 128 MB, in a fresh data folder", async () => {
    const handle = await freshDb("pglite");
    try {
      const [row] = rowsOf<{ shared_buffers: string }>(await handle.db.execute(sql`show shared_buffers`));
      expect(row?.shared_buffers).toBe("16MB");
    } finally {
      await handle.close();
    }
  });
});
