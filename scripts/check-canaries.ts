// After the e2e run (scripts/test.sh): no password, phone number or code of the run may appear in the audit trail or in
// the server's log. Canaries: every password and mobile number in e2e/fixtures/users.csv, everything the specs typed
// (e2e/fixtures/canaries.ts), and every code the run sent (the outbox). Exit 1 names the first hit.
import "server-only";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDb, type Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { readUsersCsv } from "@/lib/users/csv";
import { RUN_DIR, type TypedSecret } from "@/e2e/fixtures/canaries";
import { around, codeCanary, codesIn, distinct, findCanary, passwordCanary, phoneCanary, type Canary } from "./canaries";
import { UsageError, UserError, runCli } from "./cli-runtime";

const USAGE = `Usage: tsx --conditions=react-server scripts/check-canaries.ts [RUN_DIR]

Searches the audit trail and the server log of an e2e run for its passwords, phone numbers and codes.
RUN_DIR (default E2E_RUN_DIR or .e2e-run) holds server.log, typed-secrets.jsonl and, without DATABASE_URL, the
embedded database in data/ (e2e/web-server.sh writes them). Exit 0: nothing found; 1: a hit, or nothing to check.`;

const USERS_CSV = path.join(__dirname, "..", "e2e", "fixtures", "users.csv");
const BATCH = 5_000;

async function main(argv: string[]): Promise<number | void> {
  if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (argv.length > 1) throw new UsageError("give at most one RUN_DIR");
  const runDir = path.resolve(argv[0] ?? RUN_DIR);
  const logFile = path.join(runDir, "server.log");
  if (!existsSync(logFile)) throw new UserError(`no server log at ${logFile}: did the e2e run (e2e/web-server.sh) happen?`);
  const log = readFileSync(logFile, "utf8");
  if (!log.trim()) throw new UserError(`${logFile} is empty: the server's output was not captured`);

  const databaseUrl = process.env.DATABASE_URL || undefined;
  const handle = await openDb({ databaseUrl, dataDir: path.join(runDir, "data"), migrate: false }).catch((error: unknown) => {
    throw new UserError(
      `cannot open the e2e database (${databaseUrl ? "DATABASE_URL" : path.join(runDir, "data")}): ${(error as Error).message}`,
    );
  });
  try {
    const { canaries, codes } = await collect(handle.db, runDir);
    if (codes === 0) throw new UserError("the outbox holds no codes: the run sent none, so the check would prove nothing");
    const inAudit = await searchAudit(handle.db, canaries);
    const inLog = inAudit.hit ? null : searchLog(log, canaries);
    const hit = inAudit.hit ?? inLog;
    if (hit) {
      process.stderr.write(`Canary check FAILED: ${hit}\n`);
      return 1;
    }
    process.stdout.write(
      `Canary check OK: ${canaries.length} canaries (passwords, phone numbers, ${codes} codes sent) found nowhere in ${inAudit.rows} audit rows or ${log.split("\n").length} log lines\n`,
    );
  } finally {
    await handle.close();
  }
}

async function collect(db: Db, runDir: string): Promise<{ canaries: Canary[]; codes: number }> {
  const csv = readUsersCsv(readFileSync(USERS_CSV, "utf8"));
  if (!csv.ok) throw new UserError(`cannot read ${USERS_CSV}`);
  const fromCsv = csv.value.rows.flatMap(({ input }) => [
    input.password ? passwordCanary(`password of ${input.email} (users.csv)`, input.password) : null,
    input.phone ? phoneCanary(`phone number of ${input.email} (users.csv)`, input.phone) : null,
  ]);

  const typedFile = path.join(runDir, "typed-secrets.jsonl");
  const typed = existsSync(typedFile)
    ? readFileSync(typedFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as TypedSecret)
    : [];
  const make = { password: passwordCanary, phone: phoneCanary, code: codeCanary };
  const fromSpecs = typed.map((s) => make[s.kind](`${s.kind} typed by a spec`, s.value));

  const bodies = rowsOf<{ id: string; body: string }>(await db.execute(sql`select id::text as id, body from outbox_messages order by id`));
  const sent = bodies.flatMap((m) =>
    codesIn(m.body).map((code) => ({ code, canary: codeCanary(`code sent in outbox message ${m.id}`, code) })),
  );
  return { canaries: distinct([...fromCsv, ...fromSpecs, ...sent.map((s) => s.canary)]), codes: new Set(sent.map((s) => s.code)).size };
}

/**
 * Every audit row as jsonb text, all columns but id, seq and at: those are numbers and times the database makes, where
 * six digits turn up by chance (row 123456, 12:00:00.123456) and no secret can hide.
 */
async function searchAudit(db: Db, canaries: Canary[]): Promise<{ hit: string | null; rows: number }> {
  let after = 0;
  let rows = 0;
  for (;;) {
    const batch = rowsOf<{ id: string; event: string; text: string }>(
      await db.execute(sql`
        select a.id::text as id, a.event, (to_jsonb(a) - 'id' - 'seq' - 'at')::text as text
        from audit_events a where a.id > ${after} order by a.id limit ${BATCH}`),
    );
    for (const row of batch) {
      const hit = findCanary(canaries, row.text);
      if (hit)
        return { hit: `${hit.canary.label} appears in audit row id ${row.id} (${row.event}): …${around(row.text, hit)}…`, rows: rows + 1 };
      rows += 1;
    }
    if (batch.length < BATCH) return { hit: null, rows };
    after = Number(batch.at(-1)!.id);
  }
}

/**
 * Every line as printed, and for the server's JSON lines (server/log.mjs) also every string value decoded, so a secret
 * cannot hide behind JSON escaping (a quote or backslash in a password, \u sequences).
 */
function searchLog(log: string, canaries: Canary[]): string | null {
  const lines = log.split("\n");
  for (const [i, line] of lines.entries()) {
    for (const text of [line, ...decodedValues(line)]) {
      const hit = findCanary(canaries, text);
      if (hit) return `${hit.canary.label} appears in the server log, line ${i + 1}: …${around(text, hit)}…`;
    }
  }
  return null;
}

function decodedValues(line: string): string[] {
  const start = line.indexOf("{");
  if (start < 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") for (const v of Object.values(value)) walk(v);
  };
  walk(parsed);
  return out;
}

void runCli(USAGE, () => main(process.argv.slice(2)));
