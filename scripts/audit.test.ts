// The audit CLI as operators run it: a real child process per command, on PGlite and (when configured) PostgreSQL.
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { recordAudit } from "@/lib/audit/record";
import { openDb, type Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { cliTarget, lines, runCli, type CliTarget, cliTestTimeout } from "@/tests/cli";
import { drivers } from "@/tests/db";

// Up to 2 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(2) });

const USAGE_START = "Usage: npm run audit -- <command> [options]";
const DAY = 86_400_000;

describe("audit CLI command line", () => {
  // DATA_DIR lies inside a file: any attempt to open the embedded database would fail loudly.
  const env = { DATA_DIR: path.join(__filename, "never-opened") };

  it("prints the usage for help and for no arguments, and exits 0", async () => {
    const [help, none] = await Promise.all([runCli("audit", ["help"], env), runCli("audit", [], env)]);
    for (const r of [help, none]) {
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(USAGE_START)).toBe(true);
      expect(r.stdout).toContain("prune [--days N]");
      expect(r.stderr).toBe("");
    }
  });

  it("exits 2 with the problem and the usage for every wrong command line", async () => {
    const cases: [string[], string][] = [
      [["frob"], 'unknown command "frob"'],
      [["verify", "now"], "verify takes no arguments"],
      [["verify", "--days", "3"], "verify: unknown option '--days'"],
      [["prune", "--days", "soon"], "prune: --days must be a whole number of days"],
      [["prune", "--days", "0"], "prune: --days must be between 1 and 36500"],
      [["prune", "--days"], "prune: Option '--days <value>' argument missing"],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli("audit", args, env)));
    results.forEach((r, i) => {
      const [args, problem] = cases[i]!;
      expect({ args, code: r.code, stdout: r.stdout, first: lines(r.stderr)[0] }).toEqual({
        args,
        code: 2,
        stdout: "",
        first: `error: ${problem}`,
      });
      expect(r.stderr).toContain(`\n\n${USAGE_START}`);
    });
  });
});

describe.each(drivers())("audit CLI on %s", (driver) => {
  let target: CliTarget;
  const audit = (...args: string[]) => runCli("audit", args, target.env);
  /** The CLI's database, opened by the test between commands (PGlite allows one process at a time). */
  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const handle = await openDb({ databaseUrl: target.env.DATABASE_URL, dataDir: target.dataDir });
    try {
      return await fn(handle.db);
    } finally {
      await handle.close();
    }
  };

  beforeAll(async () => {
    target = await cliTarget(driver);
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it("verifies an empty trail", async () => {
    const r = await audit("verify");
    expect(r).toEqual({
      code: 0,
      stdout: `Audit trail OK: 0 rows verified (the trail is empty)\nHead: seq 0 sha256 ${"0".repeat(64)}\n`,
      stderr: "",
    });
  });

  it("verifies a trail from its start and prints the same head as `head`", async () => {
    const now = Date.now();
    await withDb(async (db) => {
      for (let i = 0; i < 6; i++)
        await recordAudit(db, { event: "sign_in.failed", outcome: "failure", at: new Date(now - (60 - i) * DAY) });
      for (let i = 0; i < 3; i++) await recordAudit(db, { event: "sign_in.succeeded", outcome: "success", at: new Date(now - i * DAY) });
    });
    const [verify, head] = [await audit("verify"), await audit("head")];
    expect(verify.code).toBe(0);
    expect(lines(verify.stdout)[0]).toBe("Audit trail OK: 9 rows verified, from the start of the chain");
    expect(lines(verify.stdout)[1]).toMatch(/^Head: seq 9 sha256 [0-9a-f]{64}$/);
    expect(head).toEqual({ code: 0, stdout: `${lines(verify.stdout)[1]!.slice("Head: ".length)}\n`, stderr: "" });
  });

  it("prunes rows older than --days, says what it removed, and the chain verifies from the first kept row", async () => {
    const r = await audit("prune", "--days", "30");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const [auditLine, housekeeping] = lines(r.stdout);
    expect(auditLine).toMatch(
      /^Audit trail: 6 rows older than \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(30 days\) deleted \(the chain now starts at seq 7\); recorded as 1 audit\.pruned event$/,
    );
    expect(housekeeping).toBe(
      "Housekeeping: removed 0 expired rate-limit windows, 0 CAPTCHA nonces, 0 sign-in counters of unknown user IDs, 0 recovery flows, 0 admin sessions, 0 portal sessions, 0 outbox messages",
    );
    const verify = await audit("verify");
    expect(verify.code).toBe(0);
    expect(lines(verify.stdout)[0]).toBe(
      "Audit trail OK: 4 rows verified, from seq 7: the rows before it were pruned, and the audit.pruned row id 10 (seq 10) recorded the hash it links to",
    );
  });

  it("finds a tampered row and names it, with exit code 1", async () => {
    const at = await withDb(async (db) => {
      await db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`update audit_events set outcome = 'failure' where seq = 8`);
      });
      const result = await db.execute(
        sql`select to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as at from audit_events where seq = 8`,
      );
      return rowsOf<{ at: string }>(result)[0]!.at;
    });
    expect(await audit("verify")).toEqual({
      code: 1,
      stdout: "",
      stderr: `Audit trail BROKEN at row id 8 (seq 8, ${at} UTC): content changed — its content no longer matches its hash\n`,
    });
  });
});
